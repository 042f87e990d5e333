import { createI18n } from 'vue-i18n'
import ru from './locales/ru.json'
import en from './locales/en.json'

const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('lms.locale') : null

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'ru',
  fallbackLocale: 'ru',
  messages: { ru, en } as any,
  missingWarn: false,
  fallbackWarn: false,
})

/** Switches the language and remembers it. */
export function setLocale(l: 'ru' | 'en') {
  ;(i18n.global.locale as any).value = l
  localStorage.setItem('lms.locale', l)
  document.documentElement.lang = l
}
