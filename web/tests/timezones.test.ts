import { describe, it, expect } from 'vitest'
import { groupTimeZones, offsetLabel, cityName } from '../src/lib/timezones'

const ALL = Intl.supportedValuesOf('timeZone')
// 15 January 2026: no daylight saving in the northern hemisphere.
const WINTER = Date.UTC(2026, 0, 15, 12)

describe('time-zone picker', () => {
  const ru = groupTimeZones(ALL, 'ru', WINTER)
  const en = groupTimeZones(ALL, 'en', WINTER)

  it('Russia comes first, west to east, each with its offset and a city in the UI language', () => {
    expect(ru[0].key).toBe('russia')
    const labels = ru[0].zones.map((z) => z.label)
    expect(labels[0]).toBe('(UTC+02:00) Калининград')
    expect(labels).toContain('(UTC+03:00) Москва')
    expect(labels).toContain('(UTC+04:00) Самара')
    expect(labels).toContain('(UTC+05:00) Екатеринбург')
    expect(labels).toContain('(UTC+07:00) Новосибирск')
    expect(labels).toContain('(UTC+10:00) Владивосток')
    expect(labels.at(-1)).toMatch(/^\(UTC\+12:00\) /)
    expect(en[0].zones.find((z) => z.value === 'Europe/Moscow')?.label).toBe('(UTC+03:00) Moscow')
    const order = ['Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Novosibirsk', 'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Magadan', 'Asia/Kamchatka']
    const values = ru[0].zones.map((z) => z.value)
    expect(values).toEqual(expect.arrayContaining(order))
    const offsets = ru[0].zones.map((z) => z.offset)
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
  })
  it('the rest is grouped by region and sorted by offset', () => {
    const keys = ru.map((g) => g.key)
    expect(keys.slice(0, 3)).toEqual(['russia', 'Europe', 'Asia'])
    for (const g of ru) {
      const offsets = g.zones.map((z) => z.offset)
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    }
    const america = ru.find((g) => g.key === 'America')!
    expect(america.zones.every((z) => z.value.startsWith('America/'))).toBe(true)
    expect(ru.find((g) => g.key === 'Europe')!.zones.some((z) => z.value === 'Europe/Moscow')).toBe(false)
  })
  it('offers every zone exactly once, plus UTC and the profile\'s own', () => {
    const values = groupTimeZones(ALL, 'ru', WINTER, 'Etc/GMT-3').flatMap((g) => g.zones.map((z) => z.value))
    expect(new Set(values).size).toBe(values.length)
    expect(values).toEqual(expect.arrayContaining([...ALL, 'UTC', 'Etc/GMT-3']))
  })
  it('labels', () => {
    expect(offsetLabel(180)).toBe('UTC+03:00')
    expect(offsetLabel(-210)).toBe('UTC-03:30')
    expect(offsetLabel(345)).toBe('UTC+05:45')
    expect(cityName('America/Argentina/Buenos_Aires', 'en')).toBe('Buenos Aires, Argentina')
    expect(cityName('Asia/Kamchatka', 'ru')).toBe('Петропавловск-Камчатский')
  })
})

describe('main cities first', () => {
  it('Moscow leads UTC+3, Samara UTC+4, Novosibirsk UTC+7', () => {
    const russia = groupTimeZones(ALL, 'ru', WINTER)[0].zones
    const first = (offset: number) => russia.find((z) => z.offset === offset)?.value
    expect(first(180)).toBe('Europe/Moscow')
    expect(first(240)).toBe('Europe/Samara')
    expect(first(420)).toBe('Asia/Novosibirsk')
    expect(first(540)).toBe('Asia/Yakutsk')
  })
})
