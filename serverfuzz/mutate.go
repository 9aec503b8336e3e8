package serverfuzz

import "math/rand/v2"

// The live fuzzer's mutations work on programs, not bytes: they insert,
// drop, repeat and swap commands, change a command's entry, form or data,
// move a program to another state, and splice in commands of another
// program. (The native Go fuzzer mutates the encoded bytes instead, and
// every byte string decodes to a program.)

// interesting are data bytes worth trying: the small indices that pick
// list entries, and the edges.
var interesting = []byte{0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 200, 220, 240, 250, 254, 255}

func randByte(rng *rand.Rand) byte {
	if rng.IntN(2) == 0 {
		return byte(rng.IntN(32))
	}
	if rng.IntN(2) == 0 {
		return interesting[rng.IntN(len(interesting))]
	}
	return byte(rng.IntN(256))
}

func randData(rng *rand.Rand) []byte {
	n := rng.IntN(9)
	if rng.IntN(8) == 0 {
		n = rng.IntN(64)
	}
	d := make([]byte, n)
	for i := range d {
		d[i] = randByte(rng)
	}
	return d
}

// randCommand returns a command of dictionary d with random form and data.
func randCommand(rng *rand.Rand, d *dict) Command {
	op := rng.IntN(len(d.specs))
	c := Command{Op: byte(op), Shape: byte(rng.IntN(len(d.specs[op].forms))), Data: randData(rng)}
	if rng.IntN(16) == 0 {
		c.Shape |= shapeBareLF
	}
	if rng.IntN(16) == 0 {
		c.Shape |= shapeLower
	}
	return c
}

// mutate returns a mutated copy of parent; other, when it has commands,
// is spliced from.
func mutate(rng *rand.Rand, p Protocol, parent, other Program) Program {
	d := dictFor(p)
	child := parent.Clone()
	for n := 1 + rng.IntN(3); n > 0; n-- {
		cmds := child.Cmds
		switch op := rng.IntN(11); {
		case op == 0:
			child.State = State(rng.IntN(numStates(p)))
		case op <= 2 && len(cmds) < MaxCommands:
			i := rng.IntN(len(cmds) + 1)
			if rng.IntN(2) == 0 {
				i = len(cmds)
			}
			child.Cmds = append(cmds[:i], append([]Command{randCommand(rng, d)}, cmds[i:]...)...)
		case op == 3 && len(cmds) > 0:
			i := rng.IntN(len(cmds))
			child.Cmds = append(cmds[:i], cmds[i+1:]...)
		case op == 4 && len(cmds) > 0 && len(cmds) < MaxCommands:
			i := rng.IntN(len(cmds))
			c := cmds[i]
			c.Data = append([]byte(nil), c.Data...)
			child.Cmds = append(cmds[:i+1], append([]Command{c}, cmds[i+1:]...)...)
		case op == 5 && len(cmds) > 1:
			i, j := rng.IntN(len(cmds)), rng.IntN(len(cmds))
			cmds[i], cmds[j] = cmds[j], cmds[i]
		case op == 6 && len(cmds) > 0:
			i := rng.IntN(len(cmds))
			cmds[i].Op = byte(rng.IntN(len(d.specs)))
			cmds[i].Shape = byte(rng.IntN(len(d.specs[int(cmds[i].Op)].forms))) | cmds[i].Shape&^shapeForm
		case op == 7 && len(cmds) > 0:
			i := rng.IntN(len(cmds))
			switch rng.IntN(4) {
			case 0:
				cmds[i].Shape ^= shapeBareLF
			case 1:
				cmds[i].Shape ^= shapeLower
			default:
				sp := d.specs[int(cmds[i].Op)%len(d.specs)]
				cmds[i].Shape = byte(rng.IntN(len(sp.forms))) | cmds[i].Shape&^shapeForm
			}
		case op <= 9 && len(cmds) > 0:
			i := rng.IntN(len(cmds))
			cmds[i].Data = mutateData(rng, cmds[i].Data)
		case op == 10 && len(other.Cmds) > 0 && len(cmds) < MaxCommands:
			// Splice: a run of the other program's commands.
			a := rng.IntN(len(other.Cmds))
			b := a + 1 + rng.IntN(min(3, len(other.Cmds)-a))
			ins := other.Clone().Cmds[a:b]
			i := rng.IntN(len(cmds) + 1)
			child.Cmds = append(cmds[:i], append(ins, cmds[i:]...)...)
			if len(child.Cmds) > MaxCommands {
				child.Cmds = child.Cmds[:MaxCommands]
			}
		default:
			if len(cmds) < MaxCommands {
				child.Cmds = append(cmds, randCommand(rng, d))
			}
		}
	}
	return child
}

// mutateData changes a command's data bytes.
func mutateData(rng *rand.Rand, d []byte) []byte {
	d = append([]byte(nil), d...)
	switch rng.IntN(7) {
	case 0:
		if len(d) > 0 {
			d[rng.IntN(len(d))] ^= 1 << rng.IntN(8)
			return d
		}
		return append(d, randByte(rng))
	case 1:
		if len(d) > 0 {
			d[rng.IntN(len(d))] = randByte(rng)
			return d
		}
		return append(d, randByte(rng))
	case 2:
		i := rng.IntN(len(d) + 1)
		return append(d[:i], append([]byte{randByte(rng)}, d[i:]...)...)
	case 3:
		if len(d) > 0 {
			i := rng.IntN(len(d))
			return append(d[:i], d[i+1:]...)
		}
		return d
	case 4:
		if len(d) > 0 && len(d) < MaxData/2 {
			i := rng.IntN(len(d))
			j := i + 1 + rng.IntN(len(d)-i)
			return append(d, d[i:j]...)
		}
		return d
	case 5:
		if len(d) > 1 {
			return d[:rng.IntN(len(d))]
		}
		return append(d, randData(rng)...)
	}
	if len(d) < MaxData-8 {
		d = append(d, randData(rng)...)
	}
	if len(d) > MaxData {
		d = d[:MaxData]
	}
	return d
}
