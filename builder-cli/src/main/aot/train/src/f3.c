source 3
