"""How the public check shows the name of the organization that uses an instrument: partly masked.

The public check answers anyone who holds a QR code or types a certificate number. The holder of the paper
certificate needs enough of the user's name to see that the certificate belongs to the instrument in front of
them (the stall, the petrol pump); nobody needs the whole name, and a stranger should not learn from it whose
instrument failed or who has how many instruments.

The rule, on the characters of the name (spaces at either end dropped):

* 6 characters or more: keep the first 2 and the last 2, replace every character between them with ``*``. A
  Chinese organization name usually starts with its place (阜新, 甲县) and ends with what it is (市场, 公司,
  油站); the distinctive middle is what is hidden.
* 2 to 5 characters: keep the first 1 and replace the rest with ``*`` (keeping 2 + 2 of a short name would show
  all or nearly all of it; a short name is often a person's name, e.g. an individual business).
* 1 character or none: returned as is (there is nothing to mask).

The number of ``*`` is the number of characters hidden, so the holder can compare the length with the name on
the paper. This is a display rule of this platform, not a regulation (hence it lives here, not in
``jiliang.metrology``).

>>> mask_name("阜新市海州区某某农贸市场")
'阜新********市场'
>>> mask_name("甲县农贸市场")
'甲县**市场'
>>> mask_name("乙县加油站")
'乙****'
>>> mask_name("  张三  ")
'张*'
>>> mask_name("王")
'王'
>>> mask_name("")
''
"""

from __future__ import annotations

# Names this long or longer keep their first and last KEEP characters.
LONG = 6
KEEP = 2


def mask_name(name: str) -> str:
    """The name with its middle replaced by ``*`` (see the module docstring for the rule)."""
    text = (name or "").strip()
    if len(text) <= 1:
        return text
    if len(text) < LONG:
        return text[0] + "*" * (len(text) - 1)
    return text[:KEEP] + "*" * (len(text) - 2 * KEEP) + text[-KEEP:]
