"""The alert a push login shows on the phone.

The same text goes into the push notification (dispatch) and into the sealed
challenge request (login), so the phone can show what the core asked.
"""

TITLE = "Transaction Request"
SUBJECT = "Tap here to confirm transaction"
