"""The handlers the app and `tongdai worker` deliver with: one line per outbox kind."""

from __future__ import annotations

from callcenter.outbox.registry import HandlerRegistry, default_registry


def install_default_handlers(registry: HandlerRegistry = default_registry) -> HandlerRegistry:
    # Imported here, not at module level: handler modules import the outbox package.
    from callcenter.dossiers import onestop_sync
    from callcenter.notify import sms
    from callcenter.retention import twilio_delete

    registry.register(
        sms.SMS_SEND, sms.deliver_sms, on_give_up=sms.give_up_sms, on_requeue=sms.requeue_sms
    )
    registry.register(
        "onestop.submit", onestop_sync.deliver_submission,
        on_give_up=onestop_sync.give_up_submission, on_requeue=onestop_sync.requeue_submission,
    )
    registry.register(
        twilio_delete.RECORDING_DELETE, twilio_delete.deliver_recording_deletion,
        on_give_up=twilio_delete.give_up_recording_deletion,
    )
    return registry
