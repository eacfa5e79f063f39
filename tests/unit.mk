# Unit tests (cmocka).
