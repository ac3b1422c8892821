import { strict as assert } from "assert";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from "../../../components/core/kubefleet/scheduler/validation";

// apimachinery's name checks (k8s.io/apimachinery v0.32 pkg/util/validation), with their messages.

const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
  "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

interface Case {
  name: string;
  check: (value: string) => string[];
  value: string;
  want: string[];
}

const cases: Case[] = [
  { name: "accepts a DNS-1123 label", check: isDNS1123Label, value: "member-1", want: [] },
  { name: "rejects a DNS-1123 label with dots", check: isDNS1123Label, value: "a.b", want: ["must not contain dots"] },
  { name: "rejects a DNS-1123 label with upper case", check: isDNS1123Label, value: "Member", want: [DNS_LABEL] },
  {
    name: "rejects a 64-character DNS-1123 label",
    check: isDNS1123Label,
    value: "a".repeat(64),
    want: ["must be no more than 63 characters"],
  },
  { name: "accepts a DNS-1123 subdomain", check: isDNS1123Subdomain, value: "a.b-c.d", want: [] },
  { name: "rejects a DNS-1123 subdomain ending in a dot", check: isDNS1123Subdomain, value: "a.", want: [DNS_SUBDOMAIN] },
  {
    name: "rejects a 254-character DNS-1123 subdomain",
    check: isDNS1123Subdomain,
    value: "a".repeat(254),
    want: ["must be no more than 253 characters"],
  },
  { name: "accepts a qualified name with a prefix", check: isQualifiedName, value: "kubernetes.io/Region_1", want: [] },
  {
    name: "rejects a qualified name with an empty prefix",
    check: isQualifiedName,
    value: "/name",
    want: ["prefix part must be non-empty"],
  },
  {
    name: "rejects a qualified name with an empty name part",
    check: isQualifiedName,
    value: "example.com/",
    want: ["name part must be non-empty", NAME_PART],
  },
  {
    name: "rejects a qualified name with a 64-character name part",
    check: isQualifiedName,
    value: "x".repeat(64),
    want: ["name part must be no more than 63 characters"],
  },
  { name: "rejects a qualified name starting with a dash", check: isQualifiedName, value: "-name", want: [NAME_PART] },
  { name: "accepts an empty label value", check: isValidLabelValue, value: "", want: [] },
  { name: "accepts a label value with dots, dashes and underscores", check: isValidLabelValue, value: "v1.2_3-x", want: [] },
  { name: "rejects a label value with a space", check: isValidLabelValue, value: "a b", want: [LABEL_VALUE] },
  {
    name: "counts label value length in UTF-8 bytes, like Go",
    check: isValidLabelValue,
    value: "é".repeat(32),
    want: ["must be no more than 63 characters", LABEL_VALUE],
  },
];

describe("validation name checks", () => {
  for (const c of cases) {
    it(c.name, () => assert.deepStrictEqual(c.check(c.value), c.want));
  }
});
