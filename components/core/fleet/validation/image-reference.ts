// Container image references, as Docker (and so kind, which hands `nodeImage` to `docker run`)
// parses them: the grammar of distribution/reference (github.com/distribution/reference, reference.go
// and regexp.go):
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] path-component [ "/" path-component ]*
//   domain           := host [ ":" port-number ]
//   host             := domain-name | "[" IPv6 address "]"
//   domain-name      := domain-component [ "." domain-component ]*
//   domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
//   path-component   := /[a-z0-9]+/ [ separator /[a-z0-9]+/ ]*     separator := /[._]|__|[-]+/
//   tag              := /[\w][\w.-]{0,127}/
//   digest           := algorithm ":" /[0-9a-fA-F]{32,}/       algorithm := /[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*/
//
// and `reference.Parse`'s extra rules: the name is at most 255 characters, and a name that only
// fails the grammar for its upper case is refused as not lowercase. Pure: no Pulumi import.

/** distribution/reference `NameTotalLengthMax`. */
export const IMAGE_NAME_MAX_LENGTH = 255;

const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);

const GRAMMAR =
  "must be an image reference: [registry[:port]/]name[:tag][@digest], with a lower-case name of " +
  'path components like "kindest/node" and a tag like "v1.33.1" (e.g. "kindest/node:v1.33.1")';

/** Why `text` is not an image reference; [] when it is one. */
export function imageReferenceProblems(text: unknown): string[] {
  if (typeof text !== "string") return ["must be a string"];
  if (text.length === 0) return ["must not be empty: leave nodeImage out to use kind's default image"];
  const match = REFERENCE.exec(text);
  if (!match) {
    return REFERENCE.test(text.toLowerCase()) ? ["the repository name must be lowercase"] : [GRAMMAR];
  }
  const name = match[1];
  return name.length > IMAGE_NAME_MAX_LENGTH ? [`the repository name must not be more than ${IMAGE_NAME_MAX_LENGTH} characters`] : [];
}
