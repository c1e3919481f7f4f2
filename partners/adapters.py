"""How allauth behaves here: accounts are issued, not signed up for; the sign-in throttle
counts one person's wrong passwords per account *and* client address; password-reset
mail goes only to an account's own address."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are issued by an administrator: nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys its per-account limit on the address typed in alone, so five wrong
        # guesses from anywhere locked the real person out too. With the client address
        # (by the trusted-proxy rule, IPv6 by its /64, as the per-address limit counts it)
        # someone guessing elsewhere slows only themselves. Password reset clears the same
        # key, so it still frees the person who reset from where they reset.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"

    def send_password_reset_mail(self, user, email, context) -> None:
        # allauth also matches addresses that were added to an account but never proved
        # (an email change still waiting for its link): reset mail goes only to the
        # account's own address, which an administrator set or its owner proved.
        if email.lower() != user.email.lower():
            return
        super().send_password_reset_mail(user, email, context)
