"""Logic behind the template's hooks, importable so it can be unit-tested.

The hook scripts in ``hooks/`` are thin: cookiecutter renders them with the answers and they
call into this package. Everything here runs with only the standard library and cookiecutter.
"""
