import test from 'ava';
import { maskAddress, maskEmail, maskFreeText, maskIdNumber, maskName, maskPhone } from '../src/domain/masking.js';

test('ID numbers keep the first three and last four characters', (t) => {
  t.is(maskIdNumber('42010219900101123X'), '420***********123X');
  t.is(maskIdNumber('11010519491231002X'), '110***********002X');
  t.is(maskIdNumber('1234'), '****');
});

for (const [phone, masked] of [
  ['13812345678', '138****5678'],
  ['0755-82345678', '0755-****5678'],
  ['010-62345678-123', '010-****5678'],
  ['0716-8123456', '0716-***3456'],
] as const) {
  test(`phone ${phone} → ${masked}`, (t) => {
    t.is(maskPhone(phone), masked);
  });
}

for (const [name, masked] of [
  ['张三', '张*'],
  ['张小明', '张**'],
  ['欧阳娜娜', '欧阳**'],
  ['司马光', '司马*'],
  ['欧阳', '欧*'],
  ['买买提·艾力', '买**·**'],
  ['John Smith', 'J*** *****'],
  [' 李 ', '*'],
  ['', ''],
] as const) {
  test(`name ${JSON.stringify(name)} → ${masked}`, (t) => {
    t.is(maskName(name), masked);
  });
}

test('e-mail keeps the first character and the domain, not the length', (t) => {
  t.is(maskEmail('zhangsan@example.com'), 'z***@example.com');
  t.is(maskEmail('a@qq.com'), 'a***@qq.com');
  t.is(maskEmail('not-an-email'), '***');
});

for (const [address, masked] of [
  ['湖北省武汉市江汉区新华路123号4栋501', '湖北省武汉市江汉区****'],
  ['北京市朝阳区建国路88号', '北京市朝阳区****'],
  ['上海市浦东新区世纪大道100号', '上海市浦东新区****'],
  ['湖北省恩施土家族苗族自治州恩施市舞阳大街1号', '湖北省恩施土家族苗族自治州恩施市****'],
  ['内蒙古自治区锡林郭勒盟正蓝旗上都镇8号', '内蒙古自治区锡林郭勒盟正蓝旗****'],
  ['广东省深圳市南山区', '广东省深圳市南山区'],
  ['武汉市幸福小区3栋', '武汉市****'],
  ['武汉市江岸区幸福小区3栋', '武汉市江岸区****'],
  ['新华路123号', '新华****'],
] as const) {
  test(`address ${address} → ${masked}`, (t) => {
    t.is(maskAddress(address), masked);
  });
}

for (const [label, text, masked] of [
  ['ID number in a sentence', '我的身份证号是42010219900101123X，请查收', '我的身份证号是420***********123X，请查收'],
  ['ID number in lower case with spaces', '证件 420102 19900101 123x', '证件 420*** ******** 123x'],
  ['mobile number', '电话13812345678', '电话138****5678'],
  ['mobile split by spaces', '电话 138 1234 5678。', '电话 138 **** 5678。'],
  ['mobile with +86', '联系+86 138-1234-5678', '联系+86 138-****-5678'],
  ['full-width mobile', '手机１３８１２３４５６７８', '手机１３８****５６７８'],
  ['e-mail', '发到zhangsan@example.com就行', '发到z***@example.com就行'],
  ['e-mail made of a phone number', '13812345678@qq.com', '1***@qq.com'],
  ['several at once', '张三 13912345678 zs@163.com', '张三 139****5678 z***@163.com'],
] as const) {
  test(`maskFreeText masks: ${label}`, (t) => {
    t.is(maskFreeText(text), masked);
  });
}

for (const [label, text] of [
  ['a tracking number', '受理编号 2026-000123'],
  ['a date and time', '2026-06-15T08:30:00.000Z'],
  ['a 20-digit order number', '订单 12345678901234567890'],
  ['a digit run inside a hex id', 'req-a13812345678b'],
  ['a 12-digit number starting with 1', '编号138123456789'],
  ['a credit code', '91110000600037341L'],
] as const) {
  test(`maskFreeText leaves alone: ${label}`, (t) => {
    t.is(maskFreeText(text), text);
  });
}
