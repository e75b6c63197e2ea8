source 5
