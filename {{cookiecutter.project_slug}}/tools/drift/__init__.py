"""Follow the template this project was generated from: compare with it, render it, update from it.

Usage (the Makefile's `drift`, `render-pristine` and `template-update` targets)::

    python -m tools.drift drift
    python -m tools.drift render DIR
    python -m tools.drift update [--summary FILE] [--ask | --no-ask]

``.cruft.json`` links the project to a template repository, a commit of it and the answers it
was rendered with. Everything here starts from a pristine render: the template at a commit,
rendered by cookiecutter from those answers with the hooks it ships, into a scratch directory.
Three questions have three different answers, so ``drift`` prints them apart:

(a) what you changed in template-owned files: the render of the linked commit against the
    project (files you deleted included);
(b) what the template changed since: the render of the linked commit against the render of
    the latest commit (added and deleted files, added and removed questions), your files not
    involved at all;
(c) what an update would do to each file (b) touches: apply cleanly, merge with your edits, or
    conflict.

Team-owned paths (``skip`` in ``.cruft.json``) are left out everywhere: the template never
changes them. Only the standard library is imported; cookiecutter, cruft and git run as
programs, so a small tool environment (cookiecutter and cruft) is all this needs.
"""
