"""Small self-contained HTML pages standing in for the BBB HTML5 client (no external resources)."""

from __future__ import annotations

from html import escape

from bbb.simulator import features, presentations
from bbb.simulator.models import SimMeeting, SimUser

_STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#1b2a3a;color:#eef}
main{max-width:720px;margin:2rem auto;background:#24384d;padding:1.5rem 2rem;border-radius:8px}
h1{margin-top:0;font-size:1.5rem}button{font-size:1rem;padding:.4rem .9rem;margin:.2rem;border-radius:4px;border:0}
.danger{background:#c0392b;color:#fff}.ok{background:#27ae60;color:#fff}.muted{color:#9ab}
ul{padding-left:1.2rem}li{margin:.2rem 0}form{display:inline}a{color:#9cf}
"""


def page(title: str, body: str, *, refresh: int | None = None) -> bytes:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · BBB simulator</title>{meta}<style>{_STYLE}</style></head>"
        f'<body><main data-testid="sim-page">{body}</main></body></html>'
    ).encode()


def _post_button(url: str, token: str, label: str, testid: str, css: str = "", **fields: str) -> str:
    hidden = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    return (
        f'<form method="post" action="{escape(url)}"><input type="hidden" name="sessionToken" value="{escape(token)}">'
        f'{hidden}<button type="submit" class="{css}" id="{testid}" data-testid="{testid}">{escape(label)}</button></form>'
    )


def meeting_page(meeting: SimMeeting, user: SimUser) -> bytes:
    token = user.session_token
    online = meeting.online_users()
    attendees = "".join(
        f'<li data-testid="sim-attendee" data-user-id="{escape(u.user_id)}" data-role="{u.role}">'
        f'{escape(u.full_name)} <span class="muted">({u.role.lower()})</span></li>'
        for u in online
    )
    controls = [_post_button("/html5client/leave", token, "Leave", "sim-leave")]
    moderator_part = ""
    if user.role == "MODERATOR":
        controls.append(_post_button("/html5client/end", token, "End meeting", "sim-end-meeting", "danger"))
        if meeting.record:
            if meeting.recording:
                controls.append(
                    _post_button("/html5client/record", token, "Stop recording", "sim-stop-recording", on="false")
                )
            else:
                controls.append(
                    _post_button("/html5client/record", token, "Start recording", "sim-start-recording", on="true")
                )
        guests = "".join(
            f'<li data-testid="sim-lobby-guest" data-guest-name="{escape(g.full_name)}">{escape(g.full_name)} '
            + _post_button(
                "/html5client/admit",
                token,
                "Admit",
                f"sim-admit-{g.internal_id}",
                "ok",
                guest=g.session_token,
                decision="allow",
            )
            + _post_button(
                "/html5client/admit",
                token,
                "Deny",
                f"sim-deny-{g.internal_id}",
                "",
                guest=g.session_token,
                decision="deny",
            )
            + "</li>"
            for g in meeting.waiting_guests()
        )
        moderator_part = (
            f'<h2>Waiting room</h2><ul id="sim-lobby" data-testid="sim-lobby">{guests}</ul>'
            if guests
            else '<p class="muted" id="sim-lobby-empty">Nobody is waiting.</p>'
        )
    recording = '<p id="sim-recording" data-testid="sim-recording">● Recording</p>' if meeting.recording else ""
    body = (
        f'<h1 id="sim-meeting-name" data-testid="sim-meeting-name">{escape(meeting.name)}</h1>'
        f'<p>You are <strong id="sim-user-name" data-testid="sim-user-name">{escape(user.full_name)}</strong>, '
        f'<span id="sim-role" data-testid="sim-role" data-role="{user.role}">{user.role}</span>.</p>{recording}'
        f'<p><span id="sim-participant-count" data-testid="sim-participant-count">{len(online)}</span> in the meeting.</p>'
        f'<ul id="sim-attendees" data-testid="sim-attendees">{attendees}</ul>'
        f"{features.meeting_settings_html(meeting, user)}{presentations.presentations_html(meeting)}"
        f'<div id="sim-controls">{"".join(controls)}</div>{moderator_part}'
        f'<p><a href="/html5client/meeting?sessionToken={escape(token)}" id="sim-refresh">Refresh</a></p>'
    )
    return page(meeting.name, body)


def connect_page(meeting: SimMeeting, user: SimUser) -> bytes:
    """The HTML5 client while it loads: it enters the meeting only once it connects (a separate request)."""
    body = (
        f'<h1 id="sim-meeting-name" data-testid="sim-meeting-name">{escape(meeting.name)}</h1>'
        f'<p id="sim-connecting" data-testid="sim-connecting">Connecting {escape(user.full_name)} …</p>'
        f'<form method="post" action="/html5client/connect" id="sim-connect-form">'
        f'<input type="hidden" name="sessionToken" value="{escape(user.session_token)}">'
        '<button type="submit" id="sim-connect" data-testid="sim-connect">Connect</button></form>'
        "<script>document.getElementById('sim-connect-form').submit();</script>"
    )
    return page(meeting.name, body)


def lobby_page(meeting: SimMeeting, user: SimUser, refresh: int) -> bytes:
    body = (
        f'<h1 id="sim-meeting-name" data-testid="sim-meeting-name">{escape(meeting.name)}</h1>'
        f'<p id="sim-guest-wait" data-testid="sim-guest-wait">Hello <strong id="sim-user-name">{escape(user.full_name)}</strong>, '
        "please wait until a moderator lets you in.</p>"
    )
    return page("Waiting room", body, refresh=refresh)


def message_page(title: str, text: str, testid: str) -> bytes:
    return page(title, f'<h1>{escape(title)}</h1><p id="{testid}" data-testid="{testid}">{escape(text)}</p>')


def index_page(errors_json: str | None, meetings: list[SimMeeting]) -> bytes:
    error = ""
    if errors_json:
        error = (
            f'<h2>Join failed</h2><pre id="sim-join-errors" data-testid="sim-join-errors">{escape(errors_json)}</pre>'
        )
    items = "".join(f'<li>{escape(m.name)} <span class="muted">{escape(m.meeting_id)}</span></li>' for m in meetings)
    return page(
        "BBB simulator",
        f'<h1>BigBlueButton simulator</h1>{error}<h2>Meetings</h2><ul id="sim-meetings">{items}</ul>'
        '<p class="muted">API under /bigbluebutton/api/, knobs under /_sim/.</p>',
    )


def playback_page(name: str, record_id: str) -> bytes:
    return page(
        name,
        f'<h1 data-testid="sim-playback-name">{escape(name)}</h1><p class="muted" data-testid="sim-playback-id">{escape(record_id)}</p>'
        "<p>This is a simulated recording playback.</p>",
    )
