print("http-fuzz: built by bin/fuzz")
