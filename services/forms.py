from django import forms

from services.models import ErrorReport


class ErrorReportForm(forms.ModelForm):
    # A field people never see: bots fill it, and their report is dropped.
    website = forms.CharField(required=False, label="Ne pas remplir ce champ", max_length=200)

    class Meta:
        model = ErrorReport
        fields = ["reason", "message", "email"]
        widgets = {
            "reason": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }
        labels = {"reason": "Qu'est-ce qui ne va pas ?", "message": "Précisez", "email": "Votre courriel (facultatif)"}
        help_texts = {"email": "Seulement si vous acceptez qu'on vous réponde."}
        error_messages = {"message": {"required": "Décrivez l'erreur en quelques mots."}}

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))
