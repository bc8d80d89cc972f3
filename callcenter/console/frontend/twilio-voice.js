// The Twilio Voice JavaScript SDK for the console's softphone, bundled at set-up time
// (make frontend) into static/vendor/twilio-voice.js: the console's own script
// (static/live.js) finds the SDK's Device as window.TwilioVoice.Device.
import { Call, Device } from "@twilio/voice-sdk";

window.TwilioVoice = { Call, Device };
