//go:build labcheck

package main

import (
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kjson "sigs.k8s.io/json"
	sigsyaml "sigs.k8s.io/yaml"
)

const labManifest = "k8s/deployment.yaml"

type labDeployment struct {
	src []byte
	doc *yaml.Node
	d   appsv1.Deployment
}

// labErrField finds the field a decoding error is about: `unknown field "replica"` or
// `Go struct field DeploymentSpec.spec.replicas of type int32`.
var labErrField = regexp.MustCompile(`unknown field "([^"]+)"|Go struct field \S*?\.(\S+) of type`)

// labLoadDeployment decodes the Deployment of k8s/deployment.yaml into the real Kubernetes
// API type, strictly: a key that the API does not know (a typo) is an error, as it is for
// `kubectl apply --validate=strict`.
func labLoadDeployment(t *testing.T) *labDeployment {
	t.Helper()
	k := &labDeployment{src: labReadFile(t, labManifest, "the Deployment of the service")}
	docs, err := labYAMLDocs(k.src)
	if err != nil {
		t.Fatalf("%s: not valid YAML: %v", labManifest, err)
	}
	var kinds []string
	for _, doc := range docs {
		kind, _ := labYAMLValue(doc, "kind")
		if kind == nil {
			continue
		}
		kinds = append(kinds, kind.Value)
		if kind.Value == "Deployment" && k.doc == nil {
			k.doc = doc
		}
	}
	if k.doc == nil {
		t.Fatalf("%s: no document of kind: Deployment (kinds found: %q)", labManifest, kinds)
	}
	if v, _ := labYAMLValue(k.doc, "apiVersion"); v == nil || v.Value != "apps/v1" {
		t.Fatalf("%s: the Deployment's apiVersion is not apps/v1", k.at("apiVersion"))
	}
	one, err := yaml.Marshal(k.doc)
	if err != nil {
		t.Fatalf("setting up: %v", err)
	}
	err = sigsyaml.UnmarshalStrict(one, &k.d)
	if err == nil {
		// encoding/json (under sigsyaml) matches keys case-insensitively, so livenessprobe:
		// would pass. The API server does not: decode again the way it does.
		var js []byte
		if js, err = sigsyaml.YAMLToJSON(one); err == nil {
			var strict []error
			strict, err = kjson.UnmarshalStrict(js, &appsv1.Deployment{}, kjson.DisallowUnknownFields)
			if err == nil && len(strict) > 0 {
				err = strict[0]
			}
		}
	}
	if err != nil {
		line := 0
		if m := labErrField.FindStringSubmatch(err.Error()); m != nil {
			field := m[1][strings.LastIndex(m[1], ".")+1:]
			if m[2] != "" {
				parts := strings.Split(m[2], ".")
				field = parts[len(parts)-1]
			}
			line = labYAMLFindKey(k.doc, field)
		}
		hint := "a key the API does not know (a typo, or the right key at the wrong level) is ignored by a lenient decoder and silently does nothing: `kubectl explain deployment.spec` lists the keys"
		if strings.Contains(err.Error(), "cannot unmarshal") {
			hint = "the value has the wrong type for that field: `kubectl explain deployment.spec.replicas` (for example) says which one"
		}
		t.Fatalf("%s: the Kubernetes API types reject the Deployment: %v\nhint: %s", labWhere(labManifest, k.src, line), err, hint)
	}
	return k
}

func (k *labDeployment) at(path ...string) string {
	line, _ := labYAMLLine(k.doc, path...)
	return labWhere(labManifest, k.src, line)
}

// container is the service's container: the one that listens on 8080 (or the first).
func (k *labDeployment) container(t *testing.T) *corev1.Container {
	t.Helper()
	cs := k.d.Spec.Template.Spec.Containers
	if len(cs) == 0 {
		t.Fatalf("%s: the pod template has no containers", k.at("spec", "template", "spec", "containers"))
	}
	for i := range cs {
		for _, p := range cs[i].Ports {
			if p.ContainerPort == 8080 {
				return &cs[i]
			}
		}
	}
	return &cs[0]
}

var labContainerPath = []string{"spec", "template", "spec", "containers"}

func (k *labDeployment) cat(path ...string) string {
	return k.at(append(append([]string{}, labContainerPath...), path...)...)
}

func TestDeploymentIsAValidDeployment(t *testing.T) {
	k := labLoadDeployment(t)
	d := &k.d
	if d.Name == "" {
		t.Fatalf("%s: the Deployment has no metadata.name", k.at("metadata"))
	}
	sel := d.Spec.Selector
	if sel == nil || len(sel.MatchLabels) == 0 {
		t.Fatalf("%s: the Deployment has no spec.selector.matchLabels, want the labels of its pods, like {app: bookshelf}\nhint: the selector is how the Deployment finds its pods: the API server rejects an apps/v1 Deployment without one", k.at("spec", "selector"))
	}
	for key, val := range sel.MatchLabels {
		if got, ok := d.Spec.Template.Labels[key]; !ok || got != val {
			t.Fatalf("%s: the selector wants %s=%s but the pod template's labels are %v\nhint: the API server rejects a Deployment whose selector does not match its template: \"selector does not match template labels\"", k.at("spec", "selector", "matchLabels", key), key, val, d.Spec.Template.Labels)
		}
	}
	c := k.container(t)
	if c.Image == "" {
		t.Fatalf("%s: the container has no image", k.cat("image"))
	}
	if !strings.Contains(c.Image[strings.LastIndex(c.Image, "/")+1:], ":") && !strings.Contains(c.Image, "@") || strings.HasSuffix(c.Image, ":latest") {
		t.Fatalf("%s: image %q has no version tag (or :latest), want a fixed tag like :1.0.0 or a digest\nhint: with :latest, two replicas can run two versions, and a rollback has nothing to roll back to", k.cat("image"), c.Image)
	}
	for _, p := range c.Ports {
		if p.ContainerPort == 8080 {
			return
		}
	}
	t.Fatalf("%s: container %q declares no containerPort 8080, want ports: [{name: http, containerPort: 8080}]", k.cat("ports"), c.Name)
}

func TestDeploymentRunsTwoOrMoreReplicas(t *testing.T) {
	k := labLoadDeployment(t)
	n := int32(1) // the API's default
	if k.d.Spec.Replicas != nil {
		n = *k.d.Spec.Replicas
	}
	if n < 2 {
		t.Fatalf("%s: %d replica, want at least 2\nhint: with one, every rollout, node drain or crash is downtime; with two, one serves while the other is replaced", k.at("spec", "replicas"), n)
	}
}

// probePort resolves a probe's port (a number or the name of a container port).
func labProbePort(c *corev1.Container, p *corev1.Probe) int32 {
	if p == nil || p.HTTPGet == nil {
		return 0
	}
	if name := p.HTTPGet.Port.StrVal; name != "" {
		for _, cp := range c.Ports {
			if cp.Name == name {
				return cp.ContainerPort
			}
		}
		return 0
	}
	return p.HTTPGet.Port.IntVal
}

func TestDeploymentProbesLivezAndReadyz(t *testing.T) {
	k := labLoadDeployment(t)
	c := k.container(t)
	for _, p := range []struct {
		key, path, why string
		probe          *corev1.Probe
	}{
		{"livenessProbe", "/livez", "the kubelet restarts a container whose liveness fails: it must only fail when the process is stuck", c.LivenessProbe},
		{"readinessProbe", "/readyz", "the Service only sends traffic to pods whose readiness passes", c.ReadinessProbe},
	} {
		if p.probe == nil {
			t.Fatalf("%s: container %q has no %s, want httpGet: {path: %s, port: http}\nhint: %s", k.cat(p.key), c.Name, p.key, p.path, p.why)
		}
		if p.probe.HTTPGet == nil {
			t.Fatalf("%s: the %s is not an httpGet probe, want httpGet: {path: %s, port: http}", k.cat(p.key), p.key, p.path)
		}
		if got := p.probe.HTTPGet.Path; got != p.path {
			t.Fatalf("%s: the %s gets %q, want %s\nhint: %s", k.cat(p.key, "httpGet", "path"), p.key, got, p.path, p.why)
		}
		if port := labProbePort(c, p.probe); port != 8080 {
			t.Fatalf("%s: the %s's port is %s, which is not the container's port 8080", k.cat(p.key, "httpGet", "port"), p.key, p.probe.HTTPGet.Port.String())
		}
	}
}

func TestDeploymentSetsResourceRequestsAndLimits(t *testing.T) {
	k := labLoadDeployment(t)
	c := k.container(t)
	hint := "\nhint: requests are what the scheduler reserves on a node (and what the autoscaler compares usage with); a memory limit stops one leaking pod from taking the node's memory from the others"
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
			t.Fatalf("%s: container %q requests no %s, want resources.requests.%s (like %s)%s", k.cat("resources", "requests"), c.Name, r, r, map[corev1.ResourceName]string{"cpu": "100m", "memory": "64Mi"}[r], hint)
		}
	}
	lim, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok || lim.IsZero() {
		t.Fatalf("%s: container %q has no memory limit, want resources.limits.memory (like 128Mi)%s", k.cat("resources", "limits"), c.Name, hint)
	}
	if req := c.Resources.Requests[corev1.ResourceMemory]; lim.Cmp(req) < 0 {
		t.Fatalf("%s: the memory limit %s is below the request %s: the API server rejects that", k.cat("resources", "limits", "memory"), lim.String(), req.String())
	}
}

func TestDeploymentRunsAsNonRoot(t *testing.T) {
	k := labLoadDeployment(t)
	c := k.container(t)
	pod := k.d.Spec.Template.Spec.SecurityContext
	nonRoot := pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot
	if c.SecurityContext != nil && c.SecurityContext.RunAsNonRoot != nil {
		nonRoot = *c.SecurityContext.RunAsNonRoot // the container's setting wins
	}
	if !nonRoot {
		t.Fatalf("%s: runAsNonRoot is not true for container %q, want securityContext: {runAsNonRoot: true} (on the pod or the container)\nhint: then the kubelet refuses to start the container as root, whatever the image says: the USER of the Dockerfile becomes a guarantee", k.at("spec", "template", "spec", "securityContext"), c.Name)
	}
	for _, uid := range []*int64{labUID(pod), labContainerUID(c)} {
		if uid != nil && *uid == 0 {
			t.Fatalf("%s: runAsUser: 0 is root, want a non-root UID like 65532", k.at("spec", "template", "spec", "securityContext", "runAsUser"))
		}
	}
	if c.SecurityContext == nil || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Fatalf("%s: container %q does not set allowPrivilegeEscalation: false, want it in the container's securityContext\nhint: it stops a process from gaining more privileges than its parent (setuid binaries): nothing a Go service needs", k.cat("securityContext"), c.Name)
	}
}

func labUID(p *corev1.PodSecurityContext) *int64 {
	if p == nil {
		return nil
	}
	return p.RunAsUser
}

func labContainerUID(c *corev1.Container) *int64 {
	if c.SecurityContext == nil {
		return nil
	}
	return c.SecurityContext.RunAsUser
}
