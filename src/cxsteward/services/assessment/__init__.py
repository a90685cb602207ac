"""Assessment cycles: questions answered, files of answers, invitations, reports, evidence."""
