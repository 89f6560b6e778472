# ruff: noqa: E501 - prose, one paragraph per line, as staff will see it in the admin
"""The texts the legal pages start with. Staff replace the placeholders in the admin before going live.

The privacy text lists every cookie the site sets; tests/ui/test_cookies.py checks that no other cookie is set.
"""

from __future__ import annotations

IMPRINT_DE = """Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG)

## Anbieter
[Name des Trägervereins bzw. der Stadt]
[Straße und Hausnummer]
[Postleitzahl und Ort]

## Vertreten durch
[Name der vertretungsberechtigten Person]

## Kontakt
E-Mail: [kontakt@example.org]
Telefon: [Telefonnummer]

## Registereintrag
[Registergericht und Registernummer, falls vorhanden]

## Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV
[Name und Anschrift]

Hinweis für den Betrieb: Bitte ersetzen Sie die Angaben in eckigen Klammern in der Verwaltung unter „Startseite und rechtliche Seiten“."""

IMPRINT_EN = """Information according to § 5 of the German Digital Services Act (DDG)

## Provider
[Name of the supporting association or the city]
[Street and number]
[Postcode and town]

## Represented by
[Name of the authorised representative]

## Contact
Email: [contact@example.org]
Phone: [phone number]

## Register entry
[Register court and number, if any]

## Responsible for the content according to § 18 (2) MStV
[Name and address]

Note for the operator: please replace the details in square brackets in the administration under "Legal pages"."""

PRIVACY_DE = """Der Schutz Ihrer Daten ist uns wichtig. herzdigital ist so gebaut, dass so wenige Daten wie möglich entstehen.

## Verantwortliche Stelle
[Name und Anschrift des Betreibers, E-Mail-Adresse, ggf. Datenschutzbeauftragte Person]

## Keine Dienste Dritter
Alle Schriften, Skripte und Stylesheets liefern wir selbst aus. Beim Aufruf unserer Seiten stellt Ihr Browser keine Verbindung zu Dritten her. Wir verwenden keine Analyse- oder Werbedienste.

## Cookies
Wir setzen ausschließlich technisch notwendige Cookies. Deshalb brauchen wir keine Einwilligung und zeigen kein Cookie-Banner.
- sessionid: hält Sie nach der Anmeldung angemeldet und merkt sich Hinweise zwischen zwei Seitenaufrufen; gilt höchstens 14 Tage oder bis zur Abmeldung.
- csrftoken: schützt Formulare vor Missbrauch durch fremde Webseiten (Cross-Site-Request-Forgery); gilt ein Jahr.
- django_language: merkt sich die Sprache, die Sie in der Fußzeile gewählt haben; wird erst gesetzt, wenn Sie die Sprache wechseln.
- hd_guest: eine zufällige, signierte Kennung Ihres Browsers, damit falsch eingegebene Zugangscodes nur Ihren Browser sperren und nicht alle Gäste an Ihrem Anschluss; wird erst gesetzt, wenn ein Zugangscode falsch war, gilt 30 Tage.

## Welche Daten wir verarbeiten
- Konto: E-Mail-Adresse, Name, Passwort (nur als sicherer Hash gespeichert), gewählte Sprache.
- Verein: die Angaben aus der Anmeldung des Vereins und die Mitgliedschaften mit ihrer Rolle.
- Besprechungen: der Name, den Sie beim Beitreten eingeben, Beginn und Ende der Besprechung und die Zahl der Teilnehmenden.
- Aufzeichnungen: nur wenn der Verein eine Besprechung aufzeichnet; sie werden nach der vom Verein eingestellten Frist gelöscht.
- Server-Protokolle: IP-Adresse und Zeitpunkt von Anfragen, zum Schutz vor Missbrauch, höchstens [7] Tage.

## Videokonferenzen
Die Besprechungen laufen auf BigBlueButton-Servern, die [vom Betreiber / von einem Auftragsverarbeiter in Deutschland] betrieben werden.

## Ihre Rechte
Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung der Verarbeitung, Datenübertragbarkeit und Widerspruch sowie das Recht auf Beschwerde bei einer Datenschutz-Aufsichtsbehörde. Wenden Sie sich dazu an die oben genannte Stelle."""

PRIVACY_EN = """Protecting your data matters to us. herzdigital is built to create as little data as possible.

## Controller
[Name and address of the operator, email address, data protection officer if any]

## No third-party services
We serve all fonts, scripts and style sheets ourselves. When you open our pages, your browser does not connect to any third party. We use no analytics or advertising services.

## Cookies
We only set cookies that are strictly necessary. That is why we need no consent and show no cookie banner.
- sessionid: keeps you signed in after you log in and carries notices from one page to the next; valid for at most 14 days or until you sign out.
- csrftoken: protects forms against misuse by other web sites (cross-site request forgery); valid for one year.
- django_language: remembers the language you chose in the footer; only set when you switch the language.
- hd_guest: a random, signed id of your browser, so that wrongly typed access codes block only your browser and not every guest on your connection; only set after a wrong access code, valid for 30 days.

## Which data we process
- Account: email address, name, password (stored only as a secure hash), chosen language.
- Club: the details from the club's registration and the memberships with their role.
- Meetings: the name you enter when joining, start and end of the meeting and the number of participants.
- Recordings: only when the club records a meeting; they are deleted after the period the club has set.
- Server logs: IP address and time of requests, to protect against misuse, for at most [7] days.

## Video conferences
Meetings run on BigBlueButton servers operated by [the operator / a processor in Germany].

## Your rights
You have the right of access, rectification, erasure, restriction of processing, data portability and objection, and the right to lodge a complaint with a data protection supervisory authority. Please contact the controller named above."""

TERMS_DE = """Diese Nutzungsbedingungen gelten für alle Vereine und Personen, die herzdigital nutzen.

## Leistung
herzdigital stellt gemeinnützigen Vereinen, Selbsthilfegruppen und ähnlichen Gruppen kostenlos Räume für Videokonferenzen zur Verfügung. Es besteht kein Anspruch auf eine bestimmte Verfügbarkeit.

## Zulassung
Ein Verein wird nach Prüfung durch den Betrieb freigeschaltet. Der Betrieb kann die Anmeldung ablehnen oder einen Verein sperren, wenn gegen diese Bedingungen verstoßen wird.

## Pflichten der Vereine
- Räume nur für die Arbeit des Vereins nutzen.
- Keine rechtswidrigen Inhalte teilen.
- Teilnehmende vor einer Aufzeichnung informieren und ihre Einwilligung einholen.
- Zugangsdaten geheim halten.

## Kontingente
Die Zahl der Räume, der Teilnehmenden und der gleichzeitigen Besprechungen ist je Verein begrenzt. Aufzeichnungen werden nach der eingestellten Frist gelöscht.

## Änderungen
Wir können diese Bedingungen ändern. Über wesentliche Änderungen informieren wir die Ansprechpersonen der Vereine per E-Mail."""

TERMS_EN = """These terms of use apply to every club and every person using herzdigital.

## Service
herzdigital offers non-profit clubs, self-help groups and similar groups video conference rooms free of charge. There is no entitlement to any particular availability.

## Admission
A club is activated after a review by the operator. The operator may reject a registration or suspend a club that breaks these terms.

## Duties of clubs
- Use the rooms only for the club's work.
- Share no unlawful content.
- Inform participants before recording and obtain their consent.
- Keep access details secret.

## Quotas
The number of rooms, participants and simultaneous meetings is limited per club. Recordings are deleted after the period that has been set.

## Changes
We may change these terms. We inform the clubs' contact persons of significant changes by email."""

HOME_DE = """## Wer wir sind
herzdigital wird von einem IT-Unternehmen aus unserer Stadt betrieben, auf eigene Kosten und ohne Werbung. Wer genau dahintersteht, lesen Sie im Impressum.

## Für wen
Für Vereine, Selbsthilfegruppen, Elterngruppen, Sportvereine, Beiräte und Initiativen aus unserer Stadt: für Vorstandssitzungen, Gruppenabende, Kurse und Mitgliederversammlungen im Internet.

## Was es kostet
Nichts. Es gibt keine Werbung, kein Abo und keine versteckten Kosten. Wie wir mit Ihren Daten umgehen, steht in der Datenschutzerklärung.

## So kommen Sie dazu
- Sie melden Ihren Verein mit dem Formular „Verein anmelden“ an und bestätigen Ihre E-Mail-Adresse.
- Unser Team prüft die Anmeldung, in der Regel innerhalb von drei Werktagen, und schreibt Ihnen eine E-Mail, sobald Ihr Verein freigeschaltet ist.
- Danach legen Sie Räume an und teilen den Link. Ihre Gäste brauchen kein Konto und keine App: Link öffnen, Namen eingeben, fertig."""

HOME_EN = """## Who we are
herzdigital is run by an IT company from our city, at its own cost and without advertising. The legal notice says who exactly is behind it.

## For whom
For clubs, self-help groups, parents' groups, sports clubs, advisory boards and initiatives from our city: for board meetings, group evenings, courses and general assemblies on the internet.

## What it costs
Nothing. There is no advertising, no subscription and no hidden cost. How we handle your data is set out in the privacy policy.

## How to join
- Register your club with the form "Register a club" and confirm your email address.
- Our team checks the registration, usually within three working days, and emails you as soon as your club is approved.
- Then you create rooms and share the link. Your guests need no account and no app: open the link, type a name, done."""

DEFAULTS = {
    "impressum": ("Impressum", IMPRINT_DE, "Legal notice", IMPRINT_EN),
    "datenschutz": ("Datenschutzerklärung", PRIVACY_DE, "Privacy policy", PRIVACY_EN),
    "nutzungsbedingungen": ("Nutzungsbedingungen", TERMS_DE, "Terms of use", TERMS_EN),
    "startseite": (
        "Videokonferenzen für Ihren Verein – datenschutzfreundlich und kostenlos",
        HOME_DE,
        "Video conferences for your club – privacy-friendly and free of charge",
        HOME_EN,
    ),
}
