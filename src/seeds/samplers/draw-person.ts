import { base, de, en, es, Faker, fr, ja, type LocaleDefinition } from '@faker-js/faker';
import type { ColumnRandom } from './column-random.js';
import type { PersonField, PersonLocale, PersonSpec } from './sampler-spec.js';

/** Each locale falls back to English, then to faker's locale-free data, for anything it lacks. */
const LOCALE_CHAINS: Record<PersonLocale, LocaleDefinition[]> = {
  en: [en, base],
  de: [de, en, base],
  fr: [fr, en, base],
  es: [es, en, base],
  ja: [ja, en, base],
};

export type Person = Partial<Record<PersonField, string | number>>;

/**
 * One faker per column, seeded from the column's stream, drawing people one after another: the
 * same recipe (with the same faker version, pinned in package.json) gives the same people. Every
 * field is drawn whether or not it is asked for, so choosing fields does not change the people.
 * Names follow the drawn sex, and the email is made from the name.
 */
export function personSampler(spec: PersonSpec, random: ColumnRandom): () => Person {
  const faker = new Faker({ locale: LOCALE_CHAINS[spec.locale] });
  faker.seed([random.seed % 2 ** 32, Math.floor(random.seed / 2 ** 32)]);
  return () => {
    const sex = faker.person.sexType();
    const firstName = faker.person.firstName(sex);
    const lastName = faker.person.lastName(sex);
    const all: Record<PersonField, string | number> = {
      first_name: firstName,
      last_name: lastName,
      full_name: faker.person.fullName({ firstName, lastName, sex }),
      sex,
      age: faker.number.int({ min: spec.age.min, max: spec.age.max }),
      email: faker.internet.email({ firstName, lastName }),
      phone: faker.phone.number(),
      city: faker.location.city(),
      country: faker.location.country(),
      job_title: faker.person.jobTitle(),
    };
    return Object.fromEntries(spec.fields.map((field) => [field, all[field]]));
  };
}
