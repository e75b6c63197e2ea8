source 2
