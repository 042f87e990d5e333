// Notification settings and the Telegram link (tag `notifications`).
import { client, ok, done } from './client'
import type { PreferencesRequest } from './types'

export const notifications = {
  /** `GET /notifications/preferences`: wishes, `channel_status` and what will be `delivered`. */
  preferences: () => ok(client.GET('/api/v1/notifications/preferences')),
  setPreferences: (body: PreferencesRequest) => ok(client.PUT('/api/v1/notifications/preferences', { body })),
  /** `POST /notifications/telegram`: a deep link to the bot that links this account. */
  linkTelegram: () => ok(client.POST('/api/v1/notifications/telegram')),
  unlinkTelegram: () => done(client.DELETE('/api/v1/notifications/telegram')),
}
