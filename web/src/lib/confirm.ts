// One confirmation dialog for the whole app: a view asks
// `await askConfirm({...})` and gets `true` only when the user confirmed.
// `ConfirmDialog.vue` (mounted once in App.vue) shows the open request.
import { shallowReactive } from 'vue'

export interface ConfirmRequest {
  /** The question, saying what will happen ("Удалить урок «…»?"). */
  title: string
  /** More about the consequences ("Это действие нельзя отменить."). */
  message?: string
  /** The button that does it, named by the action ("Удалить урок"). */
  confirmLabel: string
  /** The button that keeps things as they are. */
  cancelLabel: string
  /** A destructive action: a red button, and the focus starts on cancel. */
  danger?: boolean
}

interface Pending extends ConfirmRequest {
  resolve: (ok: boolean) => void
}

export const confirmState = shallowReactive<{ current: Pending | null }>({ current: null })

/** Shows the dialog; resolves to whether the user confirmed. */
export function askConfirm(request: ConfirmRequest): Promise<boolean> {
  // A new question replaces one still open, which counts as cancelled.
  settleConfirm(false)
  return new Promise((resolve) => {
    confirmState.current = { ...request, resolve }
  })
}

/** Closes the dialog with the user's answer. */
export function settleConfirm(ok: boolean) {
  const c = confirmState.current
  confirmState.current = null
  c?.resolve(ok)
}
