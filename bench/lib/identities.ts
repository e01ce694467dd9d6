// Invented applicants for the load: every number is different and passes the product's checks
// (GB 11643 check digit), so each submission is a new person and no duplicate check short-cuts it.

const REGIONS = ['420202', '420203', '420204', '420205', '420222', '420281', '110105', '310104', '440305', '510107'];
/** ISO 7064 MOD 11-2, as GB 11643-1999 prescribes for the 18th character. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** A distinct valid 居民身份证号 for each n below 180 million. */
export function idNumber(n: number): string {
  const region = REGIONS[n % REGIONS.length]!;
  const k = Math.floor(n / REGIONS.length);
  const serial = String(k % 1000).padStart(3, '0');
  const day = Math.floor(k / 1000);
  // Birth dates from 1950-01-01 onwards, one per day, in UTC so the server's zone plays no part.
  const birth = new Date(Date.UTC(1950, 0, 1) + day * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const body = `${region}${birth}${serial}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i]!;
  return body + CHECK[sum % 11];
}

/** A distinct mobile number for each n below 100 million. */
export function mobile(n: number): string {
  return `139${String(n % 100_000_000).padStart(8, '0')}`;
}

const SUBJECTS = ['人防工程建设审批结果清单', '防空地下室易地建设费收支情况', '人防警报器设置点位', '人防工程平时使用备案情况', '部门预算执行情况', '行政处罚决定书', '人防工程维护采购合同'];
const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '强', '磊', '洋', '艳', '军'];

/** A valid person application body, different for each n. */
export function personApplication(n: number) {
  const subject = SUBJECTS[n % SUBJECTS.length]!;
  return {
    applicant: {
      type: 'person',
      name: `${SURNAMES[n % 10]}${GIVEN[Math.floor(n / 10) % 10]}${GIVEN[Math.floor(n / 100) % 10]}`,
      idNumber: idNumber(n),
      phone: mobile(n),
      email: `applicant${n}@example.com`,
      address: `湖北省黄石市示例路${(n % 500) + 1}号`,
      postcode: '435000',
    },
    request: { description: `请公开${2015 + (n % 11)}年度本市${subject}（第${n}号查询）` },
    delivery: n % 3 === 0 ? { form: 'paper', method: 'post' } : { form: 'electronic', method: 'email' },
  };
}
