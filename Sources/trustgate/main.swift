print("trustgate")
