var z=globalThis,O=z.ShadowRoot&&(z.ShadyCSS===void 0||z.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,K=Symbol(),ce=new WeakMap,S=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==K)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(O&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=ce.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&ce.set(e,t))}return t}toString(){return this.cssText}},de=r=>new S(typeof r=="string"?r:r+"",void 0,K),I=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,n)=>s+(a=>{if(a._$cssResult$===!0)return a.cssText;if(typeof a=="number")return a;throw Error("Value passed to 'css' function must be a 'css' function result: "+a+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[n+1],r[0]);return new S(e,r,K)},ue=(r,t)=>{if(O)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=z.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},W=O?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return de(e)})(r):r;var{is:ze,defineProperty:Oe,getOwnPropertyDescriptor:Fe,getOwnPropertyNames:qe,getOwnPropertySymbols:Ve,getPrototypeOf:je}=Object,F=globalThis,pe=F.trustedTypes,Be=pe?pe.emptyScript:"",Ke=F.reactiveElementPolyfillSupport,E=(r,t)=>r,G={toAttribute(r,t){switch(t){case Boolean:r=r?Be:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},ge=(r,t)=>!ze(r,t),he={attribute:!0,type:String,converter:G,reflect:!1,useDefault:!1,hasChanged:ge};Symbol.metadata??=Symbol("metadata"),F.litPropertyMetadata??=new WeakMap;var _=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=he){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&Oe(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:n}=Fe(this.prototype,t)??{get(){return this[e]},set(a){this[e]=a}};return{get:i,set(a){let l=i?.call(this);n?.call(this,a),this.requestUpdate(t,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??he}static _$Ei(){if(this.hasOwnProperty(E("elementProperties")))return;let t=je(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(E("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(E("properties"))){let e=this.properties,s=[...qe(e),...Ve(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(W(i))}else t!==void 0&&e.push(W(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return ue(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:G).toAttribute(e,s.type);this._$Em=t,n==null?this.removeAttribute(i):this.setAttribute(i,n),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let n=s.getPropertyOptions(i),a=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:G;this._$Em=i;let l=a.fromAttribute(e,n.type);this[i]=l??this._$Ej?.get(i)??l,this._$Em=null}}requestUpdate(t,e,s,i=!1,n){if(t!==void 0){let a=this.constructor;if(i===!1&&(n=this[t]),s??=a.getPropertyOptions(t),!((s.hasChanged??ge)(n,e)||s.useDefault&&s.reflect&&n===this._$Ej?.get(t)&&!this.hasAttribute(a._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:n},a){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,a??e??this[t]),n!==!0||a!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,n]of this._$Ep)this[i]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,n]of s){let{wrapped:a}=n,l=this[i];a!==!0||this._$AL.has(i)||l===void 0||this.C(i,void 0,n,l)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};_.elementStyles=[],_.shadowRootOptions={mode:"open"},_[E("elementProperties")]=new Map,_[E("finalized")]=new Map,Ke?.({ReactiveElement:_}),(F.reactiveElementVersions??=[]).push("2.1.2");var te=globalThis,_e=r=>r,q=te.trustedTypes,me=q?q.createPolicy("lit-html",{createHTML:r=>r}):void 0,we="$lit$",$=`lit$${Math.random().toFixed(9).slice(2)}$`,xe="?"+$,Ie=`<${xe}>`,y=document,C=()=>y.createComment(""),P=r=>r===null||typeof r!="object"&&typeof r!="function",se=Array.isArray,We=r=>se(r)||typeof r?.[Symbol.iterator]=="function",J=`[ 	
\f\r]`,k=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,fe=/-->/g,$e=/>/g,b=RegExp(`>|${J}(?:([^\\s"'>=/]+)(${J}*=${J}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),be=/'/g,ve=/"/g,Ae=/^(?:script|style|textarea|title)$/i,ie=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),c=ie(1),rt=ie(2),nt=ie(3),w=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),ye=new WeakMap,v=y.createTreeWalker(y,129);function Se(r,t){if(!se(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return me!==void 0?me.createHTML(t):t}var Ge=(r,t)=>{let e=r.length-1,s=[],i,n=t===2?"<svg>":t===3?"<math>":"",a=k;for(let l=0;l<e;l++){let o=r[l],u,h,p=-1,g=0;for(;g<o.length&&(a.lastIndex=g,h=a.exec(o),h!==null);)g=a.lastIndex,a===k?h[1]==="!--"?a=fe:h[1]!==void 0?a=$e:h[2]!==void 0?(Ae.test(h[2])&&(i=RegExp("</"+h[2],"g")),a=b):h[3]!==void 0&&(a=b):a===b?h[0]===">"?(a=i??k,p=-1):h[1]===void 0?p=-2:(p=a.lastIndex-h[2].length,u=h[1],a=h[3]===void 0?b:h[3]==='"'?ve:be):a===ve||a===be?a=b:a===fe||a===$e?a=k:(a=b,i=void 0);let f=a===b&&r[l+1].startsWith("/>")?" ":"";n+=a===k?o+Ie:p>=0?(s.push(u),o.slice(0,p)+we+o.slice(p)+$+f):o+$+(p===-2?l:f)}return[Se(r,n+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},R=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let n=0,a=0,l=t.length-1,o=this.parts,[u,h]=Ge(t,e);if(this.el=r.createElement(u,s),v.currentNode=this.el.content,e===2||e===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(i=v.nextNode())!==null&&o.length<l;){if(i.nodeType===1){if(i.hasAttributes())for(let p of i.getAttributeNames())if(p.endsWith(we)){let g=h[a++],f=i.getAttribute(p).split($),D=/([.?@])?(.*)/.exec(g);o.push({type:1,index:n,name:D[2],strings:f,ctor:D[1]==="."?Y:D[1]==="?"?X:D[1]==="@"?Q:A}),i.removeAttribute(p)}else p.startsWith($)&&(o.push({type:6,index:n}),i.removeAttribute(p));if(Ae.test(i.tagName)){let p=i.textContent.split($),g=p.length-1;if(g>0){i.textContent=q?q.emptyScript:"";for(let f=0;f<g;f++)i.append(p[f],C()),v.nextNode(),o.push({type:2,index:++n});i.append(p[g],C())}}}else if(i.nodeType===8)if(i.data===xe)o.push({type:2,index:n});else{let p=-1;for(;(p=i.data.indexOf($,p+1))!==-1;)o.push({type:7,index:n}),p+=$.length-1}n++}}static createElement(t,e){let s=y.createElement("template");return s.innerHTML=t,s}};function x(r,t,e=r,s){if(t===w)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,n=P(t)?void 0:t._$litDirective$;return i?.constructor!==n&&(i?._$AO?.(!1),n===void 0?i=void 0:(i=new n(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=x(r,i._$AS(r,t.values),i,s)),t}var Z=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??y).importNode(e,!0);v.currentNode=i;let n=v.nextNode(),a=0,l=0,o=s[0];for(;o!==void 0;){if(a===o.index){let u;o.type===2?u=new T(n,n.nextSibling,this,t):o.type===1?u=new o.ctor(n,o.name,o.strings,this,t):o.type===6&&(u=new ee(n,this,t)),this._$AV.push(u),o=s[++l]}a!==o?.index&&(n=v.nextNode(),a++)}return v.currentNode=y,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},T=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=x(this,t,e),P(t)?t===d||t==null||t===""?(this._$AH!==d&&this._$AR(),this._$AH=d):t!==this._$AH&&t!==w&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):We(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==d&&P(this._$AH)?this._$AA.nextSibling.data=t:this.T(y.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=R.createElement(Se(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let n=new Z(i,this),a=n.u(this.options);n.p(e),this.T(a),this._$AH=n}}_$AC(t){let e=ye.get(t.strings);return e===void 0&&ye.set(t.strings,e=new R(t)),e}k(t){se(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let n of t)i===e.length?e.push(s=new r(this.O(C()),this.O(C()),this,this.options)):s=e[i],s._$AI(n),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=_e(t).nextSibling;_e(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},A=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,n){this.type=1,this._$AH=d,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=d}_$AI(t,e=this,s,i){let n=this.strings,a=!1;if(n===void 0)t=x(this,t,e,0),a=!P(t)||t!==this._$AH&&t!==w,a&&(this._$AH=t);else{let l=t,o,u;for(t=n[0],o=0;o<n.length-1;o++)u=x(this,l[s+o],e,o),u===w&&(u=this._$AH[o]),a||=!P(u)||u!==this._$AH[o],u===d?t=d:t!==d&&(t+=(u??"")+n[o+1]),this._$AH[o]=u}a&&!i&&this.j(t)}j(t){t===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},Y=class extends A{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===d?void 0:t}},X=class extends A{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==d)}},Q=class extends A{constructor(t,e,s,i,n){super(t,e,s,i,n),this.type=5}_$AI(t,e=this){if((t=x(this,t,e,0)??d)===w)return;let s=this._$AH,i=t===d&&s!==d||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,n=t!==d&&(s===d||i);i&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},ee=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){x(this,t)}};var Je=te.litHtmlPolyfillSupport;Je?.(R,T),(te.litHtmlVersions??=[]).push("3.3.3");var Ee=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let n=e?.renderBefore??null;s._$litPart$=i=new T(t.insertBefore(C(),n),n,void 0,e??{})}return i._$AI(r),i};var re=globalThis,m=class extends _{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Ee(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return w}};m._$litElement$=!0,m.finalized=!0,re.litElementHydrateSupport?.({LitElement:m});var Ze=re.litElementPolyfillSupport;Ze?.({LitElement:m});(re.litElementVersions??=[]).push("4.2.2");var ke=["B","KiB","MiB","GiB","TiB","PiB"];function M(r,t="en"){if(r==null||!Number.isFinite(r)||r<0)return"\u2014";let e=r,s=0;for(;e>=1024&&s<ke.length-1;)e/=1024,s+=1;let i=s===0?0:e<10?2:e<100?1:0;return`${e.toLocaleString(t,{minimumFractionDigits:i,maximumFractionDigits:i})} ${ke[s]}`}function L(r,t="en"){return`${M(r??0,t)}/s`}function Ce(r){if(r==null||r<0||r>=864e4)return"\u221E";let t=Math.floor(r);return t<60?`${t}s`:t<3600?`${Math.floor(t/60)}m ${t%60}s`:t<86400?`${Math.floor(t/3600)}h ${Math.floor(t%3600/60)}m`:t<100*86400?`${Math.floor(t/86400)}d ${Math.floor(t%86400/3600)}h`:"\u221E"}function Pe(r,t="en"){return r==null||r<0?"\u2014":r>=9999?"\u221E":r.toLocaleString(t,{minimumFractionDigits:2,maximumFractionDigits:2})}function Re(r,t="en"){return`${(r<100?Math.min(Math.floor(r*10)/10,99.9):100).toLocaleString(t,{maximumFractionDigits:1})}%`}var Ye={error:"errored",missingFiles:"missing_files",uploading:"seeding",forcedUP:"forced_seeding",stalledUP:"seeding",queuedUP:"queued",checkingUP:"checking",pausedUP:"paused_completed",stoppedUP:"stopped_completed",downloading:"downloading",forcedDL:"forced_downloading",metaDL:"downloading_metadata",forcedMetaDL:"forced_downloading_metadata",stalledDL:"stalled",queuedDL:"queued",checkingDL:"checking",pausedDL:"paused",stoppedDL:"stopped",allocating:"allocating",checkingResumeData:"checking_resume_data",moving:"moving"};function Te(r){return Ye[r]??"unknown"}function Me(r){return r.startsWith("paused")||r.startsWith("stopped")}function ne(r){return r.join(", ")}function Le(r,t,e){return e===0||t===0?[0,0]:[r+1,Math.min(r+t,e)]}var ae={en:{title:"Torrents",download:"Download",upload:"Upload",free_space:"Free space",alt_speed:"Alternative speed",all:"All",search:"Search by name",any_category:"Any category",no_category:"No category",any_tag:"Any tag",sort_by:"Sort by",ascending:"Ascending",descending:"Descending",previous:"Previous page",next:"Next page",of:"of",empty:"No torrents here.",unavailable:"qBittorrent does not answer; the list shows what it last said.",no_server:"No qbt-bridge server is set up.",name:"Name",progress:"Progress",state:"State",download_speed:"Down",upload_speed:"Up",eta:"Time left",ratio:"Ratio",size:"Size",category:"Category",tags:"Tags",added_on:"Added",pause:"Pause",resume:"Resume",recheck:"Recheck",delete:"Delete",set_category:"Category\u2026",edit_tags:"Tags\u2026",files:"Files\u2026",add:"Add torrent",pause_all:"Pause all",resume_paused:"Resume what Pause all paused",delete_title:"Delete {name}?",delete_files:"Also delete its files",cancel:"Cancel",confirm:"Delete",save:"Save",close:"Close",add_title:"Add a torrent",source:"Magnet link or URL",add_button:"Add",tags_title:"Tags of {name}",tags_hint:"Comma-separated",category_title:"Category of {name}",files_title:"Files of {name}",priority:"Priority",skip:"Skip",normal:"Normal",high:"High",max:"Maximum",done:"Done",actions:"Actions",group_downloading:"Downloading",group_seeding:"Seeding",group_completed:"Completed",group_running:"Running",group_stopped:"Stopped",group_active:"Active",group_inactive:"Inactive",group_stalled:"Stalled",group_checking:"Checking",group_moving:"Moving",group_errored:"Errored",group_queued:"Queued",state_errored:"Errored",state_missing_files:"Missing Files",state_seeding:"Seeding",state_forced_seeding:"[F] Seeding",state_queued:"Queued",state_checking:"Checking",state_paused_completed:"Completed",state_stopped_completed:"Completed",state_downloading:"Downloading",state_forced_downloading:"[F] Downloading",state_downloading_metadata:"Downloading metadata",state_forced_downloading_metadata:"[F] Downloading metadata",state_stalled:"Stalled",state_paused:"Paused",state_stopped:"Stopped",state_allocating:"Allocating",state_checking_resume_data:"Checking resume data",state_moving:"Moving",state_unknown:"Unknown",editor_entry:"Server",editor_columns:"Columns",editor_state:"Show at first",editor_sort:"Sort by",editor_descending:"Descending",editor_page_size:"Torrents per page"},de:{title:"Torrents",download:"Download",upload:"Upload",free_space:"Freier Speicher",alt_speed:"Alternative Geschwindigkeit",all:"Alle",search:"Nach Name suchen",any_category:"Jede Kategorie",no_category:"Ohne Kategorie",any_tag:"Jedes Label",sort_by:"Sortieren nach",ascending:"Aufsteigend",descending:"Absteigend",previous:"Vorige Seite",next:"N\xE4chste Seite",of:"von",empty:"Hier sind keine Torrents.",unavailable:"qBittorrent antwortet nicht; die Liste zeigt den letzten Stand.",no_server:"Es ist kein qbt-bridge-Server eingerichtet.",name:"Name",progress:"Fortschritt",state:"Status",download_speed:"Runter",upload_speed:"Hoch",eta:"Restzeit",ratio:"Verh\xE4ltnis",size:"Gr\xF6\xDFe",category:"Kategorie",tags:"Labels",added_on:"Hinzugef\xFCgt",pause:"Pausieren",resume:"Fortsetzen",recheck:"Erneut pr\xFCfen",delete:"L\xF6schen",set_category:"Kategorie\u2026",edit_tags:"Labels\u2026",files:"Dateien\u2026",add:"Torrent hinzuf\xFCgen",pause_all:"Alle pausieren",resume_paused:"Fortsetzen, was \u201EAlle pausieren\u201C anhielt",delete_title:"{name} l\xF6schen?",delete_files:"Auch die Dateien l\xF6schen",cancel:"Abbrechen",confirm:"L\xF6schen",save:"Speichern",close:"Schlie\xDFen",add_title:"Torrent hinzuf\xFCgen",source:"Magnet-Link oder URL",add_button:"Hinzuf\xFCgen",tags_title:"Labels von {name}",tags_hint:"Durch Kommas getrennt",category_title:"Kategorie von {name}",files_title:"Dateien von {name}",priority:"Priorit\xE4t",skip:"Nicht herunterladen",normal:"Normal",high:"Hoch",max:"Maximal",done:"Fertig",actions:"Aktionen",group_downloading:"L\xE4dt herunter",group_seeding:"Verteilt",group_completed:"Abgeschlossen",group_running:"Laufend",group_stopped:"Angehalten",group_active:"Aktiv",group_inactive:"Inaktiv",group_stalled:"Blockiert",group_checking:"Pr\xFCfe",group_moving:"Verschiebe",group_errored:"Fehlerhaft",group_queued:"Eingereiht",state_errored:"Fehlerhaft",state_missing_files:"Fehlende Dateien",state_seeding:"Verteile",state_forced_seeding:"[F] Verteile",state_queued:"Eingereiht",state_checking:"Pr\xFCfe",state_paused_completed:"Abgeschlossen",state_stopped_completed:"Abgeschlossen",state_downloading:"Lade herunter",state_forced_downloading:"[F] Lade herunter",state_downloading_metadata:"Lade Metadaten",state_forced_downloading_metadata:"[F] Lade Metadaten",state_stalled:"Blockiert",state_paused:"Pausiert",state_stopped:"Angehalten",state_allocating:"Reserviere Speicher",state_checking_resume_data:"Pr\xFCfe Fortsetzungsdaten",state_moving:"Verschiebe",state_unknown:"Unbekannt",editor_entry:"Server",editor_columns:"Spalten",editor_state:"Zuerst zeigen",editor_sort:"Sortieren nach",editor_descending:"Absteigend",editor_page_size:"Torrents pro Seite"}};function V(r){let t=(r??"en").split("-")[0],e=ae[t]??ae.en;return(s,i)=>{let n=e[s]??ae.en[s];for(let[a,l]of Object.entries(i??{}))n=n.replace(`{${a}}`,l);return n}}var oe=["downloading","seeding","completed","running","stopped","active","inactive","stalled","checking","moving","errored"],U=["progress","state","download_speed","upload_speed","eta","ratio","size","category","tags"],H=["added_on","name","progress","state","download_speed","upload_speed","eta","ratio","size","category"];function Ue(){return{entry:null,canAct:!1,capabilities:[],available:!0,header:null,count:0,offset:0,order:[],rows:{},ended:!1}}function He(r,t){let e=t.order??r.order,s={};for(let i of e){let n=t.rows?.[i]??r.rows[i];n&&(s[i]=n)}return{entry:t.entry??r.entry,canAct:t.can_act??r.canAct,capabilities:t.capabilities??r.capabilities,available:t.available??r.available,header:t.header??r.header,count:t.count??r.count,offset:t.offset??r.offset,order:e,rows:s,ended:t.ended??!1}}function Ne(r){return r.order.map(t=>r.rows[t]).filter(t=>t!==void 0)}function De(r){let t={sort:r.sort,descending:r.descending,offset:r.offset,limit:r.limit};for(let e of["state","tag","name"]){let s=r[e];s!==void 0&&s!==""&&(t[e]=s)}return r.category!==void 0&&(t.category=r.category),t}var Xe=[...U],j=50,le="\0none",Qe=2e3,N=class extends m{constructor(){super(...arguments);this._config={type:"custom:qbt-bridge-card"};this._page=Ue();this._view={sort:"added_on",descending:!0,offset:0,limit:j};this._dialog=null;this._error="";this._failed="";this._unsubscribe=null;this._subscribing=!1}static getConfigElement(){return document.createElement("qbt-bridge-card-editor")}static getStubConfig(){return{page_size:j}}setConfig(e){if(e.page_size!==void 0&&!(e.page_size>=10&&e.page_size<=200))throw new Error("page_size: from 10 to 200");let s=(e.columns??[]).filter(n=>!U.includes(n));if(s.length)throw new Error(`columns: no ${s.join(", ")} (known: ${U.join(", ")})`);if(e.sort!==void 0&&!H.includes(e.sort))throw new Error(`sort: one of ${H.join(", ")}`);let i=this._config;this._config=e,this._view={...this._view,state:e.state||void 0,sort:e.sort??"added_on",descending:e.descending??!0,limit:e.page_size??j,offset:0},(i.entry_id!==e.entry_id||this._unsubscribe)&&this._resubscribe()}getCardSize(){return 3+Math.min(this._page.order.length,10)}connectedCallback(){super.connectedCallback(),this.hass&&!this._unsubscribe&&this._subscribe()}disconnectedCallback(){super.disconnectedCallback(),this._unsubscribeNow()}updated(e){e.has("hass")&&this.hass&&!this._unsubscribe&&!this._subscribing&&!this._failed&&this._subscribe()}get _t(){return V(this.hass?.locale?.language??this.hass?.language)}get _language(){return this.hass?.locale?.language??this.hass?.language??"en"}async _subscribe(){if(!(!this.hass||this._subscribing)){this._subscribing=!0;try{let e={type:"qbt_bridge/subscribe",view:De(this._view)};this._config.entry_id&&(e.entry_id=this._config.entry_id),this._unsubscribe=await this.hass.connection.subscribeMessage(s=>this._onEvent(s),e),this._failed=""}catch(e){this._failed=e.message??String(e)}finally{this._subscribing=!1}}}async _unsubscribeNow(){let e=this._unsubscribe;if(this._unsubscribe=null,e)try{await e()}catch{}}async _resubscribe(){await this._unsubscribeNow(),this._failed="",await this._subscribe()}_onEvent(e){this._page=He(this._page,e),e.ended&&(this._unsubscribe=null,setTimeout(()=>void this._subscribe(),Qe))}_setView(e){this._view={...this._view,offset:0,...e},this._resubscribe()}async _run(e,s){if(!this.hass)return;let i={type:"qbt_bridge/command",command:e,args:s},n=this._config.entry_id??this._page.entry?.id;n&&(i.entry_id=n);try{return this._error="",await this.hass.connection.sendMessagePromise(i)}catch(a){this._error=a.message??String(a);return}}async _openFiles(e){this._dialog={kind:"files",row:e,files:null};let s=await this._run("files",{torrent:e.hash,per_page:1e3});this._dialog?.kind==="files"&&this._dialog.row.hash===e.hash&&(this._dialog=s?{...this._dialog,files:s.files}:null)}async _confirm(){let e=this._dialog;if(!e)return;let s;if(e.kind==="delete")s=await this._run("delete",{torrents:e.row.hash,delete_files:e.files});else if(e.kind==="add"){let i={source:e.source.trim()};e.category&&(i.category=e.category),s=await this._run("add",i)}else if(e.kind==="tags"){let i=e.text.split(",").map(l=>l.trim()).filter(Boolean),n=e.row.tags.filter(l=>!i.includes(l)),a=i.filter(l=>!e.row.tags.includes(l));s=!0,n.length&&(s=await this._run("remove_tags",{torrents:e.row.hash,tags:n})),s&&a.length&&(s=await this._run("add_tags",{torrents:e.row.hash,tags:a}))}else e.kind==="category"?s=await this._run("set_category",{torrents:e.row.hash,category:e.category}):s=!0;s!==void 0&&(this._dialog=null)}render(){let e=this._t;if(this._failed)return c`<ha-card><div class="message error" role="alert">${this._failed}</div></ha-card>`;let s=this._page;return c`
      <ha-card>
        <div class="card" @keydown=${this._onKey}>
          ${this._renderHeader(s)} ${this._renderFilters(s)}
          ${s.available?d:c`<div class="message warning" role="status">${e("unavailable")}</div>`}
          ${this._error?c`<div class="message error" role="alert">${this._error}</div>`:d}
          ${this._renderList(s)} ${this._renderPager(s)} ${this._renderDialog()}
        </div>
      </ha-card>
    `}_renderHeader(e){let s=this._t,i=e.header,n=this._language;return c`
      <div class="header">
        <div class="title">${e.entry?.title??s("title")}</div>
        <div class="figures">
          <span title=${s("download")} aria-label=${s("download")}>↓ ${L(i?.download_speed,n)}</span>
          <span title=${s("upload")} aria-label=${s("upload")}>↑ ${L(i?.upload_speed,n)}</span>
          <span>${s("free_space")}: ${M(i?.free_space,n)}</span>
          ${i?.alt_speed===null||i===null?d:c`<button class="toggle ${i.alt_speed?"on":""}" role="switch"
                aria-checked=${i.alt_speed?"true":"false"} ?disabled=${!e.canAct}
                @click=${()=>this._run("alt_speed",{enabled:!i.alt_speed})}>
                🐢 ${s("alt_speed")}</button>`}
        </div>
        ${e.canAct?c`<div class="global-actions">
              <button @click=${()=>this._dialog={kind:"add",source:"",category:""}}>＋ ${s("add")}</button>
              <button @click=${()=>this._run("pause_all",{})}>⏸ ${s("pause_all")}</button>
              <button @click=${()=>this._run("resume_paused",{})}>▶ ${s("resume_paused")}</button>
            </div>`:d}
      </div>
      <div class="chips" role="toolbar" aria-label=${s("state")}>
        <button class="chip" aria-pressed=${this._view.state===void 0?"true":"false"}
          @click=${()=>this._setView({state:void 0})}>${s("all")} ${i?.counts.total??0}</button>
        ${oe.map(a=>c`<button class="chip" data-group=${a}
            aria-pressed=${this._view.state===a?"true":"false"}
            @click=${()=>this._setView({state:this._view.state===a?void 0:a})}>
            ${s(`group_${a}`)} ${i?.counts[a]??0}</button>`)}
      </div>
    `}_renderFilters(e){let s=this._t,i=e.header,n=this._view.category===void 0?"":this._view.category===""?le:this._view.category;return c`
      <div class="filters">
        <input type="search" class="search" placeholder=${s("search")} aria-label=${s("search")}
          .value=${this._view.name??""} @input=${this._onSearch} />
        <select aria-label=${s("category")} .value=${n} @change=${a=>{let l=a.target.value;this._setView({category:l===""?void 0:l===le?"":l})}}>
          <option value="">${s("any_category")}</option>
          <option value=${le}>${s("no_category")}</option>
          ${(i?.categories??[]).map(a=>c`<option value=${a} ?selected=${a===n}>${a}</option>`)}
        </select>
        <select aria-label=${s("tags")} .value=${this._view.tag??""} @change=${a=>{let l=a.target.value;this._setView({tag:l||void 0})}}>
          <option value="">${s("any_tag")}</option>
          ${(i?.tags??[]).map(a=>c`<option value=${a} ?selected=${a===this._view.tag}>${a}</option>`)}
        </select>
        <select aria-label=${s("sort_by")} .value=${this._view.sort} @change=${a=>this._setView({sort:a.target.value})}>
          ${H.map(a=>c`<option value=${a} ?selected=${a===this._view.sort}>${s(a)}</option>`)}
        </select>
        <button class="direction" aria-label=${this._view.descending?s("descending"):s("ascending")}
          title=${this._view.descending?s("descending"):s("ascending")}
          @click=${()=>this._setView({descending:!this._view.descending})}>
          ${this._view.descending?"\u2193":"\u2191"}</button>
      </div>
    `}_onSearch(e){let s=e.target.value;clearTimeout(this._searchTimer),this._searchTimer=setTimeout(()=>this._setView({name:s||void 0}),300)}_columns(){return this._config.columns?.length?this._config.columns:Xe}_renderList(e){let s=this._t,i=Ne(e);if(!e.header)return c`<div class="message">…</div>`;if(i.length===0)return c`<div class="message empty">${s("empty")}</div>`;let n=this._columns();return c`
      <div class="list" role="table" aria-rowcount=${e.count} style="--qbt-columns: ${n.length}">
        <div class="row head" role="row">
          <span class="name" role="columnheader">${s("name")}</span>
          ${n.map(a=>c`<span class="cell ${a}" role="columnheader">${s(a)}</span>`)}
          ${e.canAct?c`<span class="actions" role="columnheader">${s("actions")}</span>`:d}
        </div>
        ${i.map(a=>this._renderRow(a,n,e.canAct))}
      </div>
    `}_renderRow(e,s,i){let n=this._t,a=this._language,l=u=>{switch(u){case"progress":return c`<span class="cell progress" role="cell">
            <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
              aria-valuenow=${e.progress}><span style="width:${Math.min(e.progress,100)}%"></span></span>
            <span class="percent">${Re(e.progress,a)}</span></span>`;case"state":return c`<span class="cell state" role="cell" data-status=${e.status}>${n(`state_${Te(e.status)}`)}</span>`;case"download_speed":return c`<span class="cell download_speed" role="cell">↓ ${L(e.download_speed,a)}</span>`;case"upload_speed":return c`<span class="cell upload_speed" role="cell">↑ ${L(e.upload_speed,a)}</span>`;case"eta":return c`<span class="cell eta" role="cell">${Ce(e.eta)}</span>`;case"ratio":return c`<span class="cell ratio" role="cell">${Pe(e.ratio,a)}</span>`;case"size":return c`<span class="cell size" role="cell">${M(e.size,a)}</span>`;case"category":return c`<span class="cell category" role="cell">${e.category}</span>`;case"tags":return c`<span class="cell tags" role="cell">${ne(e.tags)}</span>`}},o=Me(e.status);return c`
      <div class="row" role="row" data-hash=${e.hash}>
        <span class="name" role="cell" title=${e.name}>${e.name}</span>
        ${s.map(l)}
        ${i?c`<span class="actions" role="cell">
              <button class="act ${o?"resume":"pause"}" aria-label="${n(o?"resume":"pause")} ${e.name}"
                title=${n(o?"resume":"pause")}
                @click=${()=>this._run(o?"resume":"pause",{torrents:e.hash})}>${o?"\u25B6":"\u23F8"}</button>
              <button class="act recheck" aria-label="${n("recheck")} ${e.name}" title=${n("recheck")}
                @click=${()=>this._run("recheck",{torrents:e.hash})}>⟳</button>
              <button class="act category" aria-label="${n("set_category")} ${e.name}" title=${n("set_category")}
                @click=${()=>this._dialog={kind:"category",row:e,category:e.category}}>📁</button>
              <button class="act tags" aria-label="${n("edit_tags")} ${e.name}" title=${n("edit_tags")}
                @click=${()=>this._dialog={kind:"tags",row:e,text:ne(e.tags)}}>🏷</button>
              <button class="act files" aria-label="${n("files")} ${e.name}" title=${n("files")}
                @click=${()=>this._openFiles(e)}>☰</button>
              <button class="act delete" aria-label="${n("delete")} ${e.name}" title=${n("delete")}
                @click=${()=>this._dialog={kind:"delete",row:e,files:!1}}>🗑</button>
            </span>`:d}
      </div>
    `}_renderPager(e){if(e.count<=this._view.limit)return d;let s=this._t,[i,n]=Le(e.offset,e.order.length,e.count),a=l=>l.toLocaleString(this._language);return c`
      <div class="pager">
        <button aria-label=${s("previous")} ?disabled=${this._view.offset===0}
          @click=${()=>this._setView({offset:Math.max(0,this._view.offset-this._view.limit)})}>‹</button>
        <span>${a(i)}–${a(n)} ${s("of")} ${a(e.count)}</span>
        <button aria-label=${s("next")} ?disabled=${n>=e.count}
          @click=${()=>this._setView({offset:this._view.offset+this._view.limit})}>›</button>
      </div>
    `}_renderDialog(){let e=this._dialog;if(!e)return d;let s=this._t,i=this._page.header?.categories??[],n="",a,l=s("save");switch(e.kind){case"delete":n=s("delete_title",{name:e.row.name}),l=s("confirm"),a=c`<label><input type="checkbox" .checked=${e.files}
          @change=${o=>this._dialog={...e,files:o.target.checked}} />
          ${s("delete_files")}</label>`;break;case"add":n=s("add_title"),l=s("add_button"),a=c`
          <label>${s("source")}<textarea rows="3" .value=${e.source}
            @input=${o=>this._dialog={...e,source:o.target.value}}></textarea></label>
          <label>${s("category")}<select .value=${e.category}
            @change=${o=>this._dialog={...e,category:o.target.value}}>
            <option value="">${s("no_category")}</option>
            ${i.map(o=>c`<option value=${o}>${o}</option>`)}
          </select></label>`;break;case"tags":n=s("tags_title",{name:e.row.name}),a=c`<label>${s("tags_hint")}<input type="text" .value=${e.text}
          @input=${o=>this._dialog={...e,text:o.target.value}} /></label>`;break;case"category":n=s("category_title",{name:e.row.name}),a=c`<label>${s("category")}<select .value=${e.category}
          @change=${o=>this._dialog={...e,category:o.target.value}}>
          <option value="">${s("no_category")}</option>
          ${i.map(o=>c`<option value=${o} ?selected=${o===e.category}>${o}</option>`)}
        </select></label>`;break;case"files":n=s("files_title",{name:e.row.name}),l=null,a=e.files===null?c`<div class="message">…</div>`:c`<div class="files">${e.files.map(o=>c`<div class="file">
                <span class="file-name" title=${o.name}>${o.name}</span>
                <span>${M(o.size,this._language)}</span>
                <select aria-label="${s("priority")} ${o.name}" .value=${o.priority}
                  @change=${u=>this._run("set_file_priority",{torrent:e.row.hash,files:[o.index],priority:u.target.value})}>
                  ${["skip","normal","high","max"].map(u=>c`<option value=${u} ?selected=${u===o.priority}>${s(u)}</option>`)}
                </select></div>`)}</div>`;break}return c`
      <div class="scrim" @click=${o=>o.target===o.currentTarget&&(this._dialog=null)}>
        <div class="dialog" role="dialog" aria-modal="true" aria-label=${n}>
          <h2>${n}</h2>
          ${a}
          <div class="dialog-actions">
            <button @click=${()=>this._dialog=null}>${s(l===null?"close":"cancel")}</button>
            ${l===null?d:c`<button class="primary ${e.kind}" @click=${this._confirm}>${l}</button>`}
          </div>
        </div>
      </div>
    `}firstUpdated(){this.setAttribute("tabindex","-1")}willUpdate(e){e.has("_dialog")&&this._dialog&&!e.get("_dialog")&&this.updateComplete.then(()=>{this.renderRoot.querySelector(".dialog input, .dialog textarea, .dialog select, .dialog button")?.focus()})}_onKey(e){e.key==="Escape"&&this._dialog&&(this._dialog=null,e.stopPropagation())}};N.properties={hass:{attribute:!1},_config:{state:!0},_page:{state:!0},_view:{state:!0},_dialog:{state:!0},_error:{state:!0},_failed:{state:!0}},N.styles=I`
    :host { display: block; }
    .card { container-type: inline-size; padding: 12px 16px 8px; color: var(--primary-text-color); }
    button, select, input, textarea {
      font: inherit; color: var(--primary-text-color);
      background: var(--secondary-background-color, transparent);
      border: 1px solid var(--divider-color); border-radius: 6px; padding: 4px 8px;
    }
    button { cursor: pointer; min-height: 32px; }
    button:disabled { opacity: 0.5; cursor: default; }
    button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible {
      outline: 2px solid var(--primary-color); outline-offset: 1px;
    }
    .header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
    .title { font-size: 1.2em; font-weight: 500; flex: 1 1 auto; }
    .figures { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; color: var(--secondary-text-color); }
    .toggle.on { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .global-actions { display: flex; flex-wrap: wrap; gap: 6px; width: 100%; }
    .chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0 6px; }
    .chip { border-radius: 16px; font-size: 0.9em; }
    .chip[aria-pressed="true"] { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .filters { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
    .search { flex: 1 1 160px; min-width: 0; }
    .message { padding: 12px 0; color: var(--secondary-text-color); }
    .message.error { color: var(--error-color, #db4437); }
    .message.warning { color: var(--warning-color, #ffa600); }
    .list { display: flex; flex-direction: column; }
    .row {
      display: grid; align-items: center; gap: 4px 10px; padding: 6px 0;
      grid-template-columns: minmax(140px, 3fr) repeat(var(--qbt-columns, 9), minmax(0, 1fr)) auto;
      border-bottom: 1px solid var(--divider-color);
    }
    .row.head { font-size: 0.85em; color: var(--secondary-text-color); }
    .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .cell { font-size: 0.9em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .progress { display: flex; flex-direction: column; gap: 2px; }
    .bar { display: block; height: 6px; border-radius: 3px; background: var(--divider-color); overflow: hidden; }
    .bar > span { display: block; height: 100%; background: var(--primary-color); }
    .percent { font-size: 0.85em; color: var(--secondary-text-color); }
    .actions { display: flex; gap: 4px; justify-content: flex-end; }
    .act { min-width: 32px; padding: 2px 6px; }
    .pager { display: flex; gap: 12px; align-items: center; justify-content: center; padding: 8px 0; }
    .scrim { position: fixed; inset: 0; background: rgba(0, 0, 0, 0.4); display: flex; align-items: center; justify-content: center; z-index: 10; }
    .dialog {
      background: var(--card-background-color, #fff); color: var(--primary-text-color);
      border-radius: 12px; padding: 16px 20px; width: min(480px, 92vw); max-height: 85vh; overflow: auto;
      display: flex; flex-direction: column; gap: 10px;
    }
    .dialog h2 { margin: 0; font-size: 1.1em; overflow-wrap: anywhere; }
    .dialog label { display: flex; flex-direction: column; gap: 4px; }
    .dialog label:has(input[type="checkbox"]) { flex-direction: row; align-items: center; }
    .dialog-actions { display: flex; justify-content: flex-end; gap: 8px; }
    .primary { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .primary.delete { background: var(--error-color, #db4437); border-color: var(--error-color, #db4437); }
    .files { display: flex; flex-direction: column; gap: 4px; }
    .file { display: grid; grid-template-columns: 1fr auto auto; gap: 8px; align-items: center; }
    .file-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    @container (max-width: 599px) {
      .row { grid-template-columns: 1fr auto; }
      .row.head { display: none; }
      .row .name { grid-column: 1 / -1; white-space: normal; }
      .row .cell { grid-column: auto; }
      .row .cell.size, .row .cell.category, .row .cell.tags, .row .cell.ratio, .row .cell.eta { display: none; }
      .row .progress { grid-column: 1 / -1; }
      .row .actions { grid-column: 1 / -1; justify-content: flex-start; flex-wrap: wrap; }
    }
  `;var B=class extends m{constructor(){super(...arguments);this._config={type:"custom:qbt-bridge-card"}}setConfig(e){this._config=e}_schema(){let e=V(this.hass?.locale?.language??this.hass?.language);return[{name:"entry_id",selector:{config_entry:{integration:"qbt_bridge"}}},{name:"columns",selector:{select:{multiple:!0,options:U.map(s=>({value:s,label:e(s)}))}}},{name:"state",selector:{select:{options:[{value:"",label:e("all")},...oe.map(s=>({value:s,label:e(`group_${s}`)}))]}}},{name:"sort",selector:{select:{options:H.map(s=>({value:s,label:e(s)}))}}},{name:"descending",selector:{boolean:{}}},{name:"page_size",selector:{number:{min:10,max:200,step:10,mode:"box"}}}]}render(){let e=V(this.hass?.locale?.language??this.hass?.language);return c`<ha-form .hass=${this.hass} .data=${{descending:!0,page_size:j,...this._config}}
      .schema=${this._schema()} .computeLabel=${s=>e(`editor_${s.name==="entry_id"?"entry":s.name}`)}
      @value-changed=${this._changed}></ha-form>`}_changed(e){let s={...e.detail.value};for(let i of Object.keys(s))(s[i]===""||Array.isArray(s[i])&&s[i].length===0)&&delete s[i];this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:s},bubbles:!0,composed:!0}))}};B.properties={hass:{attribute:!1},_config:{state:!0}};customElements.get("qbt-bridge-card")||(customElements.define("qbt-bridge-card",N),customElements.define("qbt-bridge-card-editor",B),(window.customCards??=[]).push({type:"qbt-bridge-card",name:"qbt-bridge torrents",description:"The torrents of a qbt-bridge server, live, with their buttons.",preview:!1,documentationURL:"https://github.com/qbt-bridge/qbt-bridge/blob/main/docs/card.md"}));export{N as QbtBridgeCard,B as QbtBridgeCardEditor};
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
lit-html/lit-html.js:
lit-element/lit-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

lit-html/is-server.js:
  (**
   * @license
   * Copyright 2022 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
