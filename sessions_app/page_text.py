"""What the monitor's and the control page's scripts say, in the page's language: one JSON blob
per page (`{% page_text "monitor" %}`), so that no sentence lives in the scripts or in data-*
attributes. Placeholders (%(name)s) are filled by the script."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sessions_app import results
from simulator import vitals


def monitor() -> dict:
    return {
        **_alarm_names(),
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        # Close code 1012: this server process restarts, another takes the screen at once.
        "restarting": _("Server restarting: reconnecting…"),
        "full": _(
            "Too many screens are open on this session or this network: waiting for a free place…"
        ),
        "closed": _("The trainer closed the session."),
        "expired": _("The session time is over."),
        "unknown_code": _("No session with this code."),
        "replay": _("Replay"),
        "replay_failed": _("The replay could not be loaded."),
        "nibp_hint": _("Press NIBP to measure"),
        "nibp_inflating": _("Inflating…"),
        "nibp_deflating": _("Measuring…"),
        "nibp_next": _("Next %(time)s"),
        "awake_tap": _("Tap the screen to keep it awake."),
        "awake_none": _("This screen may dim: turn off auto-lock in the display settings."),
        "ecg_lead": _("ECG, lead %(lead)s"),
        "twelve_lead_title": _("12-lead ECG"),
        "twelve_lead_acquired": _("Acquired %(time)s"),
        # The paper's speed and gain, printed on the tracing.
        "twelve_lead_scale": _("25 mm/s, 10 mm/mV"),
        "results_count": _("Results (%(count)s)"),
        "result_loading": _("Loading the result…"),
        "result_failed": _("The result could not be loaded: reopen it from Results."),
        "result_kinds": {kind: str(label) for kind, label in results.KINDS.items()},
        "device": _device(),
    }


def _device() -> dict:
    """The monitor-defibrillator's strip (device-panel.js): its states and the AED's prompts,
    which it also speaks."""
    return {
        "charging": _("Charging %(joules)s J…"),
        "charged": _("Charged %(joules)s J: shock or disarm (%(seconds)s s)"),
        "auto_disarmed": _("Disarmed: the charge was not used within %(seconds)s s."),
        "disarmed": _("Disarmed."),
        "shock_delivered_notice": _("Shock delivered."),
        "last_shock": _("Last shock %(joules)s J at %(time)s"),
        "not_sent": _("Not connected: press again when the link is back."),
        "pacer_start": _("Start pacing"),
        "pacer_stop": _("Stop pacing"),
        "cpr_start": _("Start compressions"),
        "cpr_stop": _("Stop compressions"),
        # As an AED says them, in turn.
        "prompts": {
            "connect_pads": _("Apply the pads to the patient's bare chest."),
            "press_analyse": _("Press Analyse."),
            "analysing": _("Analysing heart rhythm. Do not touch the patient."),
            "shock_advised": _("Shock advised. Charging."),
            "press_shock": _("Press the flashing shock button."),
            "no_shock": _("No shock advised. Start CPR."),
            "shock_delivered": _("Shock delivered. Start CPR."),
            "check_rhythm": _("2 minutes: check rhythm."),
        },
    }


def _alarm_names() -> dict:
    """How the monitors name what alarms (their alarm band, the control page's mirror)."""
    return {
        "alarm": _("ALARM"),
        "desaturation": _("SpO2 below %(limit)s") % {"limit": vitals.RED_SPO2_BELOW},
        "apnoea": _("APNOEA"),
        # Technical alarms (cyan), in the alarm band and in their tiles.
        "technical": {
            "ecg_leads_off": _("ECG LEADS OFF"),
            "spo2_probe_off": _("SpO2 PROBE OFF"),
            "spo2_no_pulse": _("SpO2: NO PULSE"),
            "abp_no_pulse": _("ABP: NO PULSE"),
            "nibp_failed": _("NIBP: no pulse"),
        },
        "high": _("%(name)s high"),
        "low": _("%(name)s low"),
        # "HR high", "NIBP sys low".
        "names": {
            "heart_rate": _("HR"),
            "spo2": "SpO2",
            "systolic": _("NIBP sys"),
            "diastolic": _("NIBP dia"),
            "abp_systolic": _("ABP sys"),
            "abp_diastolic": _("ABP dia"),
            "respiratory_rate": _("RR"),
            "etco2": "EtCO2",
        },
    }


def control() -> dict:
    return {
        **_alarm_names(),
        "not_reached": _(
            "Stored, but the monitors could not be reached: they will catch up when they "
            "reconnect."
        ),
        "error": _("Not sent: check the highlighted fields."),
        "offline": _("Live connection lost: the form is sent the classic way."),
        "queued": _("Not connected: this will be sent as soon as the link is back."),
        "status": {
            "closed": pgettext("session status", "closed"),
            "expired": pgettext("session status", "expired"),
        },
        "ended_closed": _("The session is closed: every screen shows that it has ended."),
        "ended_expired": _("The session time is over: every screen shows that it has ended."),
        "unknown": _("unknown"),
        "mirror_waiting": _("Waiting for the first values."),
        "mirror_trend": _("trend in progress"),
        "mirror_paused": _("paused"),
        "mirror_silenced": _("silenced by the trainee"),
        "ended": _("This session has ended."),
        "signed_out": _("You are signed out: reload the page."),
        "link_open": _("connected"),
        "link_closed": _("reconnecting…"),
        "link_restarting": _("server restarting, reconnecting…"),
        "link_off": _("off"),
        "nibp_measuring": _("Measuring…"),
        "nibp_reading": _("Last reading %(bp)s at %(time)s"),
        "nibp_none": _("No reading yet."),
        "nibp_next": _("next at %(time)s"),
        "cpr_start": _("Start compressions"),
        "cpr_stop": _("Stop compressions"),
        "cpr_cycle": _("CPR %(time)s · cycle %(cycle)s"),
    }


PAGES = {"monitor": monitor, "control": control}
