source 1
