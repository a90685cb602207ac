"""The registry's web forms: browser fields in, typed service inputs out, problems back on fields.

Services never see a form. Each module here reads one family of forms (people, deployments,
committee, chain, vendors, templates, meetings), builds the typed input the governance
service takes, and turns what the service refuses into messages on the form's fields with
:func:`cxsteward.web.forms.fields.refused`.
"""
