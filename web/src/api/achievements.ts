// Badges (tag `achievements`).
import { client, ok } from './client'

export const achievements = {
  /** `GET /achievements`: the caller's badges, oldest first. */
  mine: () => ok(client.GET('/api/v1/achievements')),
}
