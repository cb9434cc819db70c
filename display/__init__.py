"""How producers' data is shown to people: safe HTML from their Markdown, phones, links, dates.

A bottom package: it imports Django and libraries only, and every page that shows producers' text uses it.
"""
