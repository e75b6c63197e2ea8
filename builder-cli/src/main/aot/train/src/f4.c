source 4
