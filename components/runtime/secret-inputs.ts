import * as pulumi from "@pulumi/pulumi";
import { FieldViolation } from "../core/k8s/field-errors";
import {
  caCertViolations,
  caKeyViolations,
  ExistingCaValues,
  existingCaShapeViolations,
  existingCaViolations,
} from "../core/fleet/validation/existing-ca";
import {
  contextArgumentViolations,
  kubeconfigProblems,
  kubeconfigViolations,
  NO_AMBIENT_KUBECONFIG,
} from "../core/fleet/validation/kubeconfig";
import { FleetValidationError } from "../errors";
import { knownValue } from "./outputs";

// The fleet's secret-bearing inputs, the user CA and the kubeconfig members' kubeconfigs, checked in
// two steps: what is given as plain text is checked with the fleet's other arguments, before
// anything is registered; what is given as an Output or a Promise (a secret, usually) is checked
// once its value arrives, and a refused value is consumed by nothing: the member registers no
// cluster objects, its provider never registers (so never falls back to the ambient kubeconfig),
// and the CA reaches no release and no output.

/** The parts of the fleet's arguments read here. */
export interface SecretInputsArgs {
  readonly members?: unknown;
  readonly ca?: unknown;
}

/** A plain value, known now: not an Output, not a Promise. */
export function isPlain(value: unknown): boolean {
  if (pulumi.Output.isInstance(value)) return false;
  return !(typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function");
}

const ownEntries = (map: unknown): Array<[string, unknown]> =>
  typeof map === "object" && map !== null && !Array.isArray(map) ? Object.entries(map) : [];

const own = (object: unknown, key: string): unknown =>
  typeof object === "object" && object !== null && Object.prototype.hasOwnProperty.call(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined;

/** A context argument worth looking up (its own problems are reported by contextArgumentViolations). */
function usableContext(context: unknown): string | undefined {
  return typeof context === "string" && context.length > 0 ? context : undefined;
}

/** Everything wrong with the secret-bearing arguments given as plain values: refused with the fleet's other violations. */
export function secretArgumentViolations(args: SecretInputsArgs): FieldViolation[] {
  return [
    ...existingCaArgumentViolations(own(args, "ca")),
    ...ownEntries(own(args, "members")).flatMap(([name, d]) => memberArgumentViolations(name, d)),
  ];
}

function memberArgumentViolations(name: string, declaration: unknown): FieldViolation[] {
  const kubeconfig = own(declaration, "kubeconfig");
  const context = own(declaration, "context");
  const isKubeconfigMember = kubeconfig !== undefined;
  const contextViolations = contextArgumentViolations(name, context, isKubeconfigMember);
  if (!isKubeconfigMember || !isPlain(kubeconfig)) return contextViolations;
  return [...contextViolations, ...kubeconfigViolations(name, kubeconfig, usableContext(context))];
}

/** The user CA's plain parts: both plain, the whole check; one plain, that one's own. */
export function existingCaArgumentViolations(ca: unknown): FieldViolation[] {
  const shape = existingCaShapeViolations(ca);
  if (shape.length > 0 || ca === undefined || ca === null) return shape;
  const values: ExistingCaValues = { certPem: own(ca, "certPem"), keyPem: own(ca, "keyPem") };
  const [certPlain, keyPlain] = [isPlain(values.certPem), isPlain(values.keyPem)];
  if (certPlain && keyPlain) return existingCaViolations(values);
  return [...(certPlain ? caCertViolations(values.certPem) : []), ...(keyPlain ? caKeyViolations(values.keyPem) : [])];
}

/** An Input's value once it arrives; undefined while it stays unknown (a preview of a value not created yet). */
async function arrived(value: unknown): Promise<{ value: unknown } | undefined> {
  try {
    const output = pulumi.output(value as pulumi.Input<string>) as pulumi.Output<unknown>;
    return await knownValue(output.apply((v) => ({ value: v })));
  } catch {
    // An Output that fails fails the run with its own error; there is nothing to check.
    return undefined;
  }
}

function refusalOf(component: string, violations: FieldViolation[]): FleetValidationError | undefined {
  return violations.length > 0 ? new FleetValidationError(component, violations) : undefined;
}

/**
 * The refusal of a kubeconfig member's kubeconfig given as an Output or a Promise, once its value
 * arrives (a plain one was checked with the arguments): undefined when usable, or not known in this preview.
 */
export async function kubeconfigRefusal(
  component: string,
  member: string,
  kubeconfig: unknown,
  context: unknown,
): Promise<FleetValidationError | undefined> {
  if (isPlain(kubeconfig)) return undefined;
  const given = await arrived(kubeconfig);
  return given && refusalOf(component, kubeconfigViolations(member, given.value, usableContext(context)));
}

/**
 * The refusal of a user CA given (in part) as Outputs or Promises, once the values arrive: the whole
 * check when both are known, each known part's own check otherwise.
 */
export async function existingCaRefusal(
  component: string,
  ca: { certPem: unknown; keyPem: unknown },
): Promise<FleetValidationError | undefined> {
  if (isPlain(ca.certPem) && isPlain(ca.keyPem)) return undefined;
  const [cert, key] = await Promise.all([arrived(ca.certPem), arrived(ca.keyPem)]);
  if (cert && key) return refusalOf(component, existingCaViolations({ certPem: cert.value, keyPem: key.value }));
  return refusalOf(component, [...(cert ? caCertViolations(cert.value) : []), ...(key ? caKeyViolations(key.value) : [])]);
}

/** `value`, held back until `refusal` settles: it fails with the refusal instead of ever resolving. */
export function heldUntilAccepted<T>(value: pulumi.Input<T>, refusal: Promise<FleetValidationError | undefined>): pulumi.Output<T> {
  return pulumi.output(refusal).apply((refused) => {
    if (refused) throw refused;
    return pulumi.output(value);
  }) as pulumi.Output<T>;
}

/**
 * What a member's Kubernetes provider is given: its kubeconfig once its member's secret inputs are
 * accepted, and only when it is one a provider can use with `context`. An empty or unusable
 * kubeconfig would make the provider fall back to the ambient one ($KUBECONFIG, ~/.kube/config):
 * the provider then fails to register instead.
 */
export function providerKubeconfig(
  kubeconfig: pulumi.Output<string>,
  refusal: Promise<FleetValidationError | undefined>,
  source: string,
  context?: string,
): pulumi.Output<string> {
  const checked = heldUntilAccepted(kubeconfig, refusal).apply((text) => {
    const problems = kubeconfigProblems(text, context);
    if (problems.length > 0) throw new Error(`${source} is not a usable kubeconfig: ${problems.join("; ")}; ${NO_AMBIENT_KUBECONFIG}`);
    return text;
  });
  return pulumi.secret(checked);
}
