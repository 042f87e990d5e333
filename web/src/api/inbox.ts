// The in-app notification list, the bell in the header (tag `notifications`).
import { client, ok } from './client'
import type { QueryOf } from './types'

/** At most this many ids per `markRead` (the server's `MAX_MARK_READ`). */
export const MAX_MARK_READ = 200

export const inbox = {
  /** `GET /notifications/inbox`: a page of the caller's notifications, newest first (`limit` 1..200, default 50). */
  list: (query: QueryOf<'/api/v1/notifications/inbox'> = {}) => ok(client.GET('/api/v1/notifications/inbox', { params: { query } })),
  /** `GET /notifications/inbox/unread`: `{unread}`, counted up to 100. */
  unread: () => ok(client.GET('/api/v1/notifications/inbox/unread')),
  /** `POST /notifications/inbox/read`: marks these read (others' ids are ignored); `{marked}`. */
  markRead: (ids: string[]) => ok(client.POST('/api/v1/notifications/inbox/read', { body: { ids: ids.slice(0, MAX_MARK_READ) } })),
  /** `POST /notifications/inbox/read-all`: marks every one read; `{marked}`. */
  markAllRead: () => ok(client.POST('/api/v1/notifications/inbox/read-all')),
}
