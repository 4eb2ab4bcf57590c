// One ChannelProvider per channel: the real driver when its credentials are configured, its
// sandbox twin (recording to `recorder`) otherwise, so the product runs end to end offline.
import type { Config } from '../config';
import type { ChannelName, ChannelProvider, SandboxRecorder } from './channels';
import { ClickSendMailProvider } from './clicksend/mail-provider';
import { HeyReachLinkedInProvider } from './heyreach/linkedin-provider';
import { PostmarkEmailProvider } from './postmark/email-provider';
import { SandboxChannelProvider } from './sandbox/sandbox-provider';
import { TwilioSmsProvider } from './twilio/sms-provider';
import { VapiVoiceProvider } from './vapi/voice-provider';

/** The email driver alone (service emails such as invitations are sent from the API). */
export function createEmailProvider(config: Config, recorder: SandboxRecorder): ChannelProvider {
  return config.POSTMARK_SERVER_TOKEN
    ? new PostmarkEmailProvider({
        serverToken: config.POSTMARK_SERVER_TOKEN,
        baseUrl: config.POSTMARK_BASE_URL,
        messageStream: config.POSTMARK_MESSAGE_STREAM,
      })
    : new SandboxChannelProvider('email', 'postmark', recorder);
}

export function createChannelProviders(config: Config, recorder: SandboxRecorder): Record<ChannelName, ChannelProvider> {
  const sandbox = (channel: ChannelName, provider: string) => new SandboxChannelProvider(channel, provider, recorder);
  return {
    email: createEmailProvider(config, recorder),
    sms:
      config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
        ? new TwilioSmsProvider({
            accountSid: config.TWILIO_ACCOUNT_SID,
            authToken: config.TWILIO_AUTH_TOKEN,
            baseUrl: config.TWILIO_BASE_URL,
            statusCallbackUrl: config.TWILIO_STATUS_CALLBACK_URL,
          })
        : sandbox('sms', 'twilio'),
    linkedin: config.HEYREACH_API_KEY
      ? new HeyReachLinkedInProvider({
          apiKey: config.HEYREACH_API_KEY,
          baseUrl: config.HEYREACH_BASE_URL,
          campaignId: config.HEYREACH_CAMPAIGN_ID,
        })
      : sandbox('linkedin', 'heyreach'),
    voice: config.VAPI_API_KEY
      ? new VapiVoiceProvider({
          apiKey: config.VAPI_API_KEY,
          baseUrl: config.VAPI_BASE_URL,
          assistantId: config.VAPI_ASSISTANT_ID,
        })
      : sandbox('voice', 'vapi'),
    mail:
      config.CLICKSEND_USERNAME && config.CLICKSEND_API_KEY
        ? new ClickSendMailProvider({
            username: config.CLICKSEND_USERNAME,
            apiKey: config.CLICKSEND_API_KEY,
            baseUrl: config.CLICKSEND_BASE_URL,
            returnAddressId: config.CLICKSEND_RETURN_ADDRESS_ID,
          })
        : sandbox('mail', 'clicksend'),
  };
}
