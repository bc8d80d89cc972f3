"""Every procedure of the catalogue has a name the IVR can speak and an SMS can carry.

The IVR may not import `callcenter`, so those names are the prompt catalogue's data
(voice_prompts/<lang>/prompts.toml: [phrases.procedure], [phrases.procedure_sms]). The app
checks at start-up that each procedure here has both, and refuses to start naming the one
that lacks a name — a citizen who calls about it would otherwise hear "thủ tục hành chính".
"""

from __future__ import annotations

from callcenter.procedures.loader import Catalogue
from ivr.prompts import PROCEDURE_PHRASES
from ivr.prompts import Catalogue as Prompts
from ivr.prompts import CatalogueError as PromptsError


def missing_phrases(procedures: Catalogue, prompts: Prompts) -> list[str]:
    """`[phrases.<group>] <code>` for each name a procedure lacks."""
    return [f"[phrases.{group}] {procedure.code}" for procedure in procedures.procedures
            for group in PROCEDURE_PHRASES if procedure.code not in prompts.phrases[group]]


def check_procedure_phrases(procedures: Catalogue, prompts: Prompts) -> None:
    missing = missing_phrases(procedures, prompts)
    if missing:
        raise PromptsError(f"voice_prompts/{prompts.language}/prompts.toml has no name for the procedures "
                           f"of the catalogue: {', '.join(missing)}")
