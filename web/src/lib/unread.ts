// The bell's count of unread notifications, shared by the header's bell and
// the notifications page, and marking entries read (which updates it).
import { ref } from 'vue'
import { inbox } from '../api'
import type { InboxItem } from '../api/types'

/** Unread notifications of the logged-in user (the server counts up to 100). */
export const unread = ref(0)

let seq = 0
/** Marks being sent: a count asked for meanwhile may predate them (each mark asks again when done). */
let marking = 0
/** Asks the server for the count; a failure keeps the last one (an older answer never wins over a newer one). */
export async function refreshUnread(): Promise<void> {
  const mine = ++seq
  try {
    const r = await inbox.unread()
    if (mine === seq && !marking) unread.value = r.unread
  } catch {
    // Offline or logged out: the badge stays as it was (a 401 goes to the login page anyway).
  }
}

/** Forgets the count (logging out). */
export function resetUnread() {
  seq++
  unread.value = 0
}

/**
 * Marks these entries read: at once on screen (`read_at`, the count), then
 * on the server, then the count again from the server. Resolves `false`
 * when that failed (the entries are unread again, the count the server's).
 */
export async function markRead(items: InboxItem[]): Promise<boolean> {
  const fresh = items.filter((i) => !i.read_at)
  if (!fresh.length) return true
  const now = new Date().toISOString()
  for (const i of fresh) i.read_at = now
  seq++
  unread.value = Math.max(0, unread.value - fresh.length)
  let ok = true
  marking++
  try {
    await inbox.markRead(fresh.map((i) => i.id))
  } catch {
    ok = false
    for (const i of fresh) if (i.read_at === now) i.read_at = null
  } finally {
    marking--
  }
  await refreshUnread()
  return ok
}

/** Marks every entry read, then `shown` (the entries on screen) and the count; throws what the server answered. */
export async function markAllRead(shown: InboxItem[] = []): Promise<void> {
  marking++
  try {
    await inbox.markAllRead()
  } finally {
    marking--
  }
  const now = new Date().toISOString()
  for (const i of shown) if (!i.read_at) i.read_at = now
  seq++
  unread.value = 0
  await refreshUnread()
}
