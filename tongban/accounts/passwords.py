import string

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """等保 2.0 password complexity: at least three of upper case, lower case, digits, symbols."""

    CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits)

    def validate(self, password: str, user=None) -> None:
        present = sum(any(c in chars for c in password) for chars in self.CLASSES)
        present += any(not c.isalnum() for c in password)
        if present < 3:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return "密码须同时包含大写字母、小写字母、数字、符号中的至少三类。"
