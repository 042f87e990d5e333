import { createI18n } from 'vue-i18n'
import ru from './locales/ru.json'
import en from './locales/en.json'

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('lms.locale') : null

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'ru',
  fallbackLocale: 'ru',
  messages: { ru, en },
  missingWarn: false,
  fallbackWarn: false,
})
// The page's language from the start (index.html says "ru"): on a device that chose
// English, the pages for getting in are English before anyone logs in (#16).
if (typeof document !== 'undefined') document.documentElement.lang = saved === 'en' ? 'en' : 'ru'

export type Locale = 'ru' | 'en'

/** The UI language now. */
export const currentLocale = (): Locale => (i18n.global.locale.value === 'en' ? 'en' : 'ru')

/** Switches the language and remembers it on this device. */
export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  localStorage.setItem('lms.locale', l)
  document.documentElement.lang = l
}
