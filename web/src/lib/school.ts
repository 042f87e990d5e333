// The school this server runs (`GET /api/v1/school`, no login needed): its
// name and logo for the header, the side menu and the login page, and
// whether the login page offers self-registration.
import { reactive } from 'vue'
import { schoolApi } from '../api'
import type { SchoolInfo } from '../api/types'
import builtInLogo from '../assets/logo.svg'


export const school = reactive<{ name: string; logoUrl: string | null; selfRegistration: boolean; loaded: boolean }>({ name: '', logoUrl: null, selfRegistration: false, loaded: false })

/** The logo to show: the school's own, else the built-in one. */
export const logoSrc = (logoUrl: string | null | undefined): string => (logoUrl && logoUrl.trim() ? logoUrl : builtInLogo)

let loading: Promise<void> | null = null
/** Loads the school once (later calls share the first); on failure the app's own name and logo stay. */
export function loadSchool(fetchSchool: () => Promise<SchoolInfo> = schoolApi.get): Promise<void> {
  loading ??= fetchSchool().then(
    (s) => {
      school.name = typeof s?.name === 'string' ? s.name.trim() : ''
      school.logoUrl = typeof s?.logo_url === 'string' ? s.logo_url : null
      school.selfRegistration = s?.self_registration === true
      school.loaded = true
      if (school.name && typeof document !== 'undefined') document.title = school.name
    },
    () => {
      loading = null
    },
  )
  return loading
}
