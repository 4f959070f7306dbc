import { classifyTwilioError, twilioClientFor, type SmsNotifierOptions } from './sms';
import {
  isAlertMessage,
  PermanentDeliveryError,
  type Delivery,
  type Notifier,
  type SendResult,
} from './types';
import { voicePageTwiml } from './voice-twiml';

export type VoiceNotifierOptions = SmsNotifierOptions;

/** Seconds the phone rings before Twilio gives up (CallStatus no-answer); voicemail usually picks up sooner. */
export const RING_TIMEOUT_S = 30;

/**
 * Returns a Notifier that pages by phone call through the twilio SDK: the TwiML travels with the request,
 * and Twilio's answering-machine detection tells the status callback when voicemail picked up.
 */
export function createVoiceNotifier(opts: VoiceNotifierOptions): Notifier {
  const { from } = opts;
  const { client, configError } = twilioClientFor(opts, 'voice');
  return {
    async send(d: Delivery): Promise<SendResult> {
      if (!client || configError)
        throw new PermanentDeliveryError(configError ?? 'voice is not configured', {
          code: 'ENOTCONFIGURED',
        });
      if (!d.address)
        throw new PermanentDeliveryError('voice delivery has no phone number', { code: 'ENOADDRESS' });
      const callbacks = isAlertMessage(d.message) ? d.message.voiceCallbacks : undefined;
      try {
        const call = await client.calls.create({
          to: d.address,
          from: from!,
          twiml: voicePageTwiml(d.message, callbacks?.gather),
          ...(callbacks ? { statusCallback: callbacks.status, statusCallbackMethod: 'POST' } : {}),
          machineDetection: 'Enable',
          timeout: RING_TIMEOUT_S,
        });
        return { providerId: call.sid };
      } catch (err) {
        throw classifyTwilioError(err, d.address);
      }
    },
  };
}
