"""Drop repeated inline <script> blocks from every page.

With Jupyter Book 1.0.4, sphinx-thebe's and sphinx-togglebutton's inline
configuration scripts are added to each page twice. The repeated
`const THEBE_JS_URL = ...` is a JavaScript error ("Identifier 'THEBE_JS_URL'
has already been declared") in every reader's console. This extension keeps
the first copy of each script, by file name (None and "" alike) and inline body,
and drops the
rest; tests/browser checks that pages load without console errors.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        body = getattr(script, "attributes", {}).get("body", "")
        key = (getattr(script, "filename", None) or "", body)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _dedupe, priority=1000)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
