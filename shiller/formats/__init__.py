"""Date formats that read the same way everywhere (FORMAT_MODULE_PATH in settings).

Django's short formats write 12/02/2026: the 12th of February in French, the 2nd of December in
English. A debrief printed in one country and read in another must not depend on that. Every
name a template may ask for spells the month; machine fields stay ISO 8601 (`|date:"c"`).
"""
