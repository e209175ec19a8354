package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts the name of every environment variable networx reads.
const EnvPrefix = "NETWORX_"

// Setting describes one configuration key as the code defines it.
type Setting struct {
	Key     string // dotted key, as in the YAML file: database.url
	Env     string // environment variable: NETWORX_DATABASE_URL
	Type    string // string, int, bool or duration
	Doc     string
	Default string // the default as text (or the documented symbolic default)
	Secret  bool   // redacted by config print
}

// Sources are the inputs Load merges over the defaults, in this order.
type Sources struct {
	// File is the path of an optional YAML file; empty means none.
	File string
	// Environ is the process environment as KEY=VALUE pairs (os.Environ()).
	// Variables that start with NETWORX_ but name no setting are ignored, since
	// tools and tests use that prefix too.
	Environ []string
	// Flags maps a setting key to the text of a command-line flag that was set.
	Flags map[string]string
}

// Load merges the defaults, the YAML file, the environment and the flags, in that
// order, validates the result once and returns every problem found together.
func Load(src Sources) (Config, error) {
	cfg := Default()
	fields := fieldsOf(&cfg)
	var errs []error

	if src.File != "" {
		data, err := os.ReadFile(src.File)
		if err != nil {
			errs = append(errs, fmt.Errorf("config file: %w", err))
		} else {
			errs = append(errs, applyYAML(fields, src.File, data)...)
		}
	}

	byEnv := make(map[string]field, len(fields))
	for _, f := range fields {
		byEnv[f.setting.Env] = f
	}
	for _, kv := range src.Environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		if f, known := byEnv[name]; known {
			if err := f.set(value); err != nil {
				errs = append(errs, fmt.Errorf("%s (from environment %s): %w", f.setting.Key, name, err))
			}
		}
	}

	byKey := make(map[string]field, len(fields))
	for _, f := range fields {
		byKey[f.setting.Key] = f
	}
	for key, value := range src.Flags {
		f, known := byKey[key]
		if !known {
			errs = append(errs, fmt.Errorf("%s (from flag): no such setting; see docs/configuration.md", key))
			continue
		}
		if err := f.set(value); err != nil {
			errs = append(errs, fmt.Errorf("%s (from flag): %w", key, err))
		}
	}

	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

// Settings lists every setting with its default, in declaration order.
func Settings() []Setting {
	cfg := Default()
	fields := fieldsOf(&cfg)
	out := make([]Setting, len(fields))
	for i, f := range fields {
		out[i] = f.setting
	}
	return out
}

// Print renders cfg as YAML with secrets redacted, in declaration order.
func Print(cfg Config) string {
	var b strings.Builder
	section := ""
	for _, f := range fieldsOf(&cfg) {
		sec, name, _ := strings.Cut(f.setting.Key, ".")
		if sec != section {
			fmt.Fprintf(&b, "%s:\n", sec)
			section = sec
		}
		value := f.text()
		if f.setting.Secret {
			value = Redact(value)
		}
		fmt.Fprintf(&b, "  %s: %s\n", name, quoteYAML(value))
	}
	return b.String()
}

// Redact hides the password of a URL (user:password@host), keeping the rest readable.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return "REDACTED"
		}
		return raw
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func quoteYAML(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// field is one settable leaf of Config.
type field struct {
	setting Setting
	value   reflect.Value
}

var durationType = reflect.TypeOf(time.Duration(0))

func fieldsOf(cfg *Config) []field {
	var out []field
	root := reflect.ValueOf(cfg).Elem()
	rt := root.Type()
	for i := 0; i < rt.NumField(); i++ {
		sec := rt.Field(i)
		sv := root.Field(i)
		for j := 0; j < sec.Type.NumField(); j++ {
			sf := sec.Type.Field(j)
			key := sec.Tag.Get("key") + "." + sf.Tag.Get("key")
			f := field{value: sv.Field(j), setting: Setting{
				Key:    key,
				Env:    EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_")),
				Doc:    sf.Tag.Get("doc"),
				Secret: sf.Tag.Get("secret") == "true",
			}}
			f.setting.Type = typeName(sf.Type)
			f.setting.Default = f.text()
			if d := sf.Tag.Get("docdefault"); d != "" {
				f.setting.Default = d
			}
			out = append(out, f)
		}
	}
	return out
}

func typeName(t reflect.Type) string {
	if t == durationType {
		return "duration"
	}
	return t.Kind().String()
}

func (f field) text() string {
	v := f.value
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return fmt.Sprint(v.Interface())
}

func (f field) set(s string) error {
	v := f.value
	s = strings.TrimSpace(s)
	if v.Type() == durationType {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration (write it like 30s, 5m or 1h30m)", s)
		}
		v.SetInt(int64(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// applyYAML sets every key of the file; unknown keys and wrong shapes are errors naming
// the file and line.
func applyYAML(fields []field, name string, data []byte) []error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("config file %s: %w", name, err)}
	}
	if len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("config file %s line %d: the top level must be a map of sections (database:, redis:, ...)", name, top.Line)}
	}
	byKey := make(map[string]field, len(fields))
	sections := make(map[string]bool)
	for _, f := range fields {
		byKey[f.setting.Key] = f
		sec, _, _ := strings.Cut(f.setting.Key, ".")
		sections[sec] = true
	}
	var errs []error
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if !sections[k.Value] {
			errs = append(errs, fmt.Errorf("config file %s line %d: unknown section %q", name, k.Line, k.Value))
			continue
		}
		if v.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("config file %s line %d: section %q must be a map", name, v.Line, k.Value))
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			kk, vv := v.Content[j], v.Content[j+1]
			key := k.Value + "." + kk.Value
			f, known := byKey[key]
			if !known {
				errs = append(errs, fmt.Errorf("config file %s line %d: unknown key %q", name, kk.Line, key))
				continue
			}
			if vv.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("config file %s line %d: %s must be a single value", name, vv.Line, key))
				continue
			}
			if err := f.set(vv.Value); err != nil {
				errs = append(errs, fmt.Errorf("config file %s line %d: %s: %w", name, vv.Line, key, err))
			}
		}
	}
	return errs
}

func splitHostPort(addr string) (string, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("%q is not host:port: %w", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", "", fmt.Errorf("%q: port %q is not a number from 0 to 65535", addr, port)
	}
	return host, port, nil
}
