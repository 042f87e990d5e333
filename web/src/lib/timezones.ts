// The time-zone picker's options: Russia's zones first, each as
// "(UTC+03:00) Москва" in the UI language, then the rest of the IANA zones
// grouped by region and sorted by their offset now.
import { zoneOffsetMs } from './time'

type Names = { ru: string; en: string }

/** Russia's zones, west to east; in each offset the main city first. */
const RUSSIA: Record<string, Names> = {
  'Europe/Kaliningrad': { ru: 'Калининград', en: 'Kaliningrad' },
  'Europe/Moscow': { ru: 'Москва', en: 'Moscow' },
  'Europe/Kirov': { ru: 'Киров', en: 'Kirov' },
  'Europe/Volgograd': { ru: 'Волгоград', en: 'Volgograd' },
  'Europe/Samara': { ru: 'Самара', en: 'Samara' },
  'Europe/Astrakhan': { ru: 'Астрахань', en: 'Astrakhan' },
  'Europe/Saratov': { ru: 'Саратов', en: 'Saratov' },
  'Europe/Ulyanovsk': { ru: 'Ульяновск', en: 'Ulyanovsk' },
  'Asia/Yekaterinburg': { ru: 'Екатеринбург', en: 'Yekaterinburg' },
  'Asia/Omsk': { ru: 'Омск', en: 'Omsk' },
  'Asia/Novosibirsk': { ru: 'Новосибирск', en: 'Novosibirsk' },
  'Asia/Krasnoyarsk': { ru: 'Красноярск', en: 'Krasnoyarsk' },
  'Asia/Barnaul': { ru: 'Барнаул', en: 'Barnaul' },
  'Asia/Tomsk': { ru: 'Томск', en: 'Tomsk' },
  'Asia/Novokuznetsk': { ru: 'Новокузнецк', en: 'Novokuznetsk' },
  'Asia/Irkutsk': { ru: 'Иркутск', en: 'Irkutsk' },
  'Asia/Yakutsk': { ru: 'Якутск', en: 'Yakutsk' },
  'Asia/Chita': { ru: 'Чита', en: 'Chita' },
  'Asia/Khandyga': { ru: 'Хандыга', en: 'Khandyga' },
  'Asia/Vladivostok': { ru: 'Владивосток', en: 'Vladivostok' },
  'Asia/Ust-Nera': { ru: 'Усть-Нера', en: 'Ust-Nera' },
  'Asia/Magadan': { ru: 'Магадан', en: 'Magadan' },
  'Asia/Sakhalin': { ru: 'Южно-Сахалинск', en: 'Yuzhno-Sakhalinsk' },
  'Asia/Srednekolymsk': { ru: 'Среднеколымск', en: 'Srednekolymsk' },
  'Asia/Kamchatka': { ru: 'Петропавловск-Камчатский', en: 'Petropavlovsk-Kamchatsky' },
  'Asia/Anadyr': { ru: 'Анадырь', en: 'Anadyr' },
}
const RUSSIA_RANK = new Map(Object.keys(RUSSIA).map((z, i) => [z, i]))

/** Russian names of other cities users here are likely to pick. */
const OTHER_RU: Record<string, string> = {
  'Europe/Minsk': 'Минск', 'Europe/Kiev': 'Киев', 'Europe/Kyiv': 'Киев', 'Europe/Chisinau': 'Кишинёв',
  'Europe/Riga': 'Рига', 'Europe/Vilnius': 'Вильнюс', 'Europe/Tallinn': 'Таллин', 'Europe/Helsinki': 'Хельсинки',
  'Europe/Warsaw': 'Варшава', 'Europe/Berlin': 'Берлин', 'Europe/Prague': 'Прага', 'Europe/Vienna': 'Вена',
  'Europe/Paris': 'Париж', 'Europe/London': 'Лондон', 'Europe/Rome': 'Рим', 'Europe/Madrid': 'Мадрид',
  'Europe/Istanbul': 'Стамбул', 'Europe/Belgrade': 'Белград', 'Europe/Sofia': 'София', 'Europe/Athens': 'Афины',
  'Europe/Simferopol': 'Симферополь',
  'Asia/Tbilisi': 'Тбилиси', 'Asia/Yerevan': 'Ереван', 'Asia/Baku': 'Баку', 'Asia/Almaty': 'Алматы',
  'Asia/Tashkent': 'Ташкент', 'Asia/Samarkand': 'Самарканд', 'Asia/Bishkek': 'Бишкек', 'Asia/Dushanbe': 'Душанбе',
  'Asia/Ashgabat': 'Ашхабад', 'Asia/Ulaanbaatar': 'Улан-Батор', 'Asia/Shanghai': 'Шанхай', 'Asia/Tokyo': 'Токио',
  'Asia/Seoul': 'Сеул', 'Asia/Dubai': 'Дубай', 'Asia/Jerusalem': 'Иерусалим', 'Asia/Bangkok': 'Бангкок',
  'Asia/Calcutta': 'Калькутта', 'Asia/Kolkata': 'Калькутта', 'Asia/Hong_Kong': 'Гонконг', 'Asia/Singapore': 'Сингапур',
  'America/New_York': 'Нью-Йорк', 'America/Chicago': 'Чикаго', 'America/Los_Angeles': 'Лос-Анджелес',
  'America/Toronto': 'Торонто', 'America/Sao_Paulo': 'Сан-Паулу', 'America/Mexico_City': 'Мехико',
  'Africa/Cairo': 'Каир', 'Australia/Sydney': 'Сидней',
}

/** Region groups after Russia, in this order; the last takes everything else. */
export const REGIONS = ['Europe', 'Asia', 'Africa', 'America', 'Atlantic', 'Indian', 'Pacific', 'Australia', 'Antarctica', 'Arctic', 'Other'] as const
export type Region = (typeof REGIONS)[number]

export interface ZoneOption {
  value: string
  label: string
  /** Minutes east of UTC now. */
  offset: number
}
export interface ZoneGroup {
  /** `russia` or a region: the translation key `tz_region.<key>` names it. */
  key: 'russia' | Region
  zones: ZoneOption[]
}

/** "UTC+03:00", "UTC-03:30". */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const m = Math.abs(minutes)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `UTC${sign}${pad(Math.floor(m / 60))}:${pad(m % 60)}`
}

/** The city of a zone in `locale`: "Москва", "Buenos Aires, Argentina". */
export function cityName(zone: string, locale: string): string {
  const known = RUSSIA[zone]
  if (known) return locale === 'en' ? known.en : known.ru
  if (locale !== 'en' && OTHER_RU[zone]) return OTHER_RU[zone]
  const parts = zone.split('/').map((p) => p.replace(/_/g, ' '))
  if (parts.length === 1) return parts[0]
  const [, ...rest] = parts
  return rest.reverse().join(', ')
}

function offsetMinutes(zone: string, now: number): number | null {
  try {
    return Math.round(zoneOffsetMs(now, zone) / 60000)
  } catch {
    return null // a name this browser does not know
  }
}

const regionOf = (zone: string): Region => {
  const r = zone.split('/')[0]
  return (REGIONS as readonly string[]).includes(r) && r !== 'Other' ? (r as Region) : 'Other'
}

/**
 * The zones (usually `Intl.supportedValuesOf('timeZone')`) grouped for the
 * picker. `current` (the profile's zone) and UTC are always offered.
 */
export function groupTimeZones(zones: readonly string[], locale: string, now: number = Date.now(), current?: string): ZoneGroup[] {
  const all = new Set(zones)
  all.add('UTC')
  if (current) all.add(current)
  const collator = new Intl.Collator(locale === 'en' ? 'en' : 'ru')
  const byOffset = (a: ZoneOption, b: ZoneOption) =>
    a.offset - b.offset || (RUSSIA_RANK.get(a.value) ?? 0) - (RUSSIA_RANK.get(b.value) ?? 0) || collator.compare(a.label, b.label)
  const groups = new Map<ZoneGroup['key'], ZoneOption[]>()
  for (const zone of all) {
    const offset = offsetMinutes(zone, now)
    if (offset == null) continue
    const key = zone in RUSSIA ? 'russia' : regionOf(zone)
    const list = groups.get(key) ?? []
    list.push({ value: zone, label: `(${offsetLabel(offset)}) ${cityName(zone, locale)}`, offset })
    groups.set(key, list)
  }
  return (['russia', ...REGIONS] as const)
    .filter((key) => groups.has(key))
    .map((key) => ({ key, zones: groups.get(key)!.sort(byOffset) }))
}
