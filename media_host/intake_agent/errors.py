"""Exceptions of the intake agent.

Tree::

    IntakeAgentError(Exception)                 root of everything the agent raises on purpose
    ├── UnsupportedLanguageError(ValueError)    session / utterance language we have no lexicon for
    ├── InvalidUtteranceError(ValueError)       utterance text the agent refuses (wrong type, ...)
    ├── RuleTableError(ValueError)              a data table (lexicon, red-flag rules, protocols)
    │                                           failed validation; the message names the entry
    └── EvalInputError(ValueError)              (in evaluation.py) a malformed line of a
                                                ``triage eval`` case file; names the line

Other modules of the agent may add subclasses of ``IntakeAgentError`` here.
"""

from __future__ import annotations


class IntakeAgentError(Exception):
    """Root of all errors raised deliberately by the intake agent."""


class UnsupportedLanguageError(IntakeAgentError, ValueError):
    """The requested language has no extraction lexicon (supported: en, es)."""


class InvalidUtteranceError(IntakeAgentError, ValueError):
    """The utterance cannot be processed (e.g. not a string)."""


class RuleTableError(IntakeAgentError, ValueError):
    """A clinical data table (lexicon, red-flag rules, protocols) is invalid."""
