print("infoplane")
