// Short messages after an action ("Работа сдана"), shown by
// `components/Toasts.vue` (mounted once in App.vue, an aria-live region).
// A toast hides itself after a few seconds; errors stay on the page that
// caused them, so a toast is for news the user would otherwise miss.
import { reactive } from 'vue'
import { i18n } from '../i18n'

export type ToastKind = 'success' | 'info' | 'warning' | 'danger'

export interface Toast {
  id: number
  text: string
  kind: ToastKind
}

/** How long a toast stays, in milliseconds. */
export const TOAST_MS = 4000
/** At most this many at once: the oldest goes first. */
const LIMIT = 4

export const toasts = reactive<Toast[]>([])
const timers = new Map<number, ReturnType<typeof setTimeout>>()
let seq = 0

/** Shows `text` for `ms` milliseconds; returns the toast's id. */
export function toast(text: string, kind: ToastKind = 'success', ms = TOAST_MS): number {
  const id = ++seq
  toasts.push({ id, text, kind })
  while (toasts.length > LIMIT) dismissToast(toasts[0].id)
  timers.set(id, setTimeout(() => dismissToast(id), ms))
  return id
}

/** Hides a toast now. */
export function dismissToast(id: number) {
  const timer = timers.get(id)
  if (timer) clearTimeout(timer)
  timers.delete(id)
  const i = toasts.findIndex((t) => t.id === id)
  if (i >= 0) toasts.splice(i, 1)
}

/** Hides every toast (tests). */
export function clearToasts() {
  for (const t of [...toasts]) dismissToast(t.id)
}

/** A toast with the UI text under `key` ("toast.handed_in"). */
export function toastT(key: string, params: Record<string, unknown> = {}, kind: ToastKind = 'success'): number {
  return toast(i18n.global.t(key, params), kind)
}
