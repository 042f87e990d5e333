import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { describeError, type ErrorContext } from './errors'

/** Loads data for a view: `data`, `loading`, `error` (readable text) and `reload`. */
export function useLoad<T>(fn: () => Promise<T>, immediate = true) {
  const data = ref<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref('')
  const { t, te } = useI18n()
  const tr = (k: string, params?: Record<string, unknown>) => (te(k) ? t(k, params ?? {}) : undefined)
  async function reload() {
    loading.value = true
    error.value = ''
    try {
      data.value = await fn()
    } catch (e) {
      error.value = describeError(e, tr)
    } finally {
      loading.value = false
    }
  }
  if (immediate) reload()
  return { data, loading, error, reload }
}

/** Runs an action and keeps its readable error (and the field it names). */
export function useAction() {
  const busy = ref(false)
  const error = ref('')
  const field = ref('')
  const { t, te } = useI18n()
  const tr = (k: string, params?: Record<string, unknown>) => (te(k) ? t(k, params ?? {}) : undefined)
  /** `ctx` names the form and its values, for messages like "Название урока не может быть пустым". */
  async function run<T>(fn: () => Promise<T>, ctx?: ErrorContext): Promise<T | undefined> {
    busy.value = true
    error.value = ''
    field.value = ''
    try {
      return await fn()
    } catch (e) {
      error.value = describeError(e, tr, ctx)
      const f = typeof e === 'object' && e !== null ? (e as { field?: unknown }).field : undefined
      field.value = typeof f === 'string' ? f : ''
      return undefined
    } finally {
      busy.value = false
    }
  }
  return { busy, error, field, run, describe: (e: unknown, ctx?: ErrorContext) => describeError(e, tr, ctx) }
}
