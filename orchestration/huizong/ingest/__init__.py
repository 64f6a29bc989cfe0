"""Reading township submissions: find files, open them, parse their forms, write raw cells."""
