# placeholder: marks the Python 3.11 stdlib directory of this fake root
