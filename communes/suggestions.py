"""The suggestions of the commune field as markup: a listbox of options, best first; empty when nothing was searched
or found (a listbox holds options only). The page holds an element of the same id and role, and the script of the
form (static/js/search.js) puts the options of this fragment into it.

Each option carries the INSEE code to submit as code_commune (data-code) and the text to put in the field
(data-label). Written with format strings rather than a template: the answer to each keystroke, and ten options
rendered by the template engine were a sixth of its time in process."""

from html import escape

from communes.models import Commune

LISTBOX = (
    '<div id="communes-suggestions" role="listbox" aria-label="Communes proposées" data-count="{count}">'
    "{options}\n</div>\n"
)
OPTION = (
    '\n  <div id="communes-suggestions-{code}" role="option" aria-selected="false" data-code="{code}"'
    ' data-label="{label}">\n    {label}\n    {via}\n  </div>'
)
VIA = '<span class="fr-hint-text">comprend {}</span>'


def listbox(communes: list[Commune]) -> str:
    """communes: the places suggested (with `suggestion_label` and `via`, see communes.search.suggest)."""
    options = "".join(
        OPTION.format(
            code=escape(commune.code_insee),
            label=escape(commune.suggestion_label),
            via=VIA.format(escape(commune.via)) if commune.via else "",
        )
        for commune in communes
    )
    return LISTBOX.format(count=len(communes), options=options)
