"""What verification tells the apps above it (notices, indicators) when something an owner cares about happens.

Each signal is sent **inside** the service's transaction, after the change and its audit event are written, so a
receiver that writes rows (an outbox of notices, say) commits or rolls back with the change itself. A receiver must
not send anything outside the process itself (mail, SMS): that belongs after the commit
(``transaction.on_commit``), once.

- ``request_changed``: a service request moved; ``action`` is the service's action name (``accept``, ``reject``,
  ``return``, ``resubmit``, ``withdraw``, ``schedule``, ``start``, ``complete``); ``reason`` the reason or note
  given with it ("" when none).
- ``certificate_issued``: a certificate (检定证书, 检定结果通知书 or 校准证书) was issued; when it corrects an earlier
  one, ``certificate.supersedes`` is that one.
- ``certificate_revoked``: a certificate was revoked; ``revocation`` holds the reason.

Every signal also carries ``actor`` (the user whose act it was).
"""

from __future__ import annotations

from django.dispatch import Signal

request_changed = Signal()  # kwargs: request, action, reason, actor
certificate_issued = Signal()  # kwargs: certificate, actor
certificate_revoked = Signal()  # kwargs: certificate, revocation, actor
